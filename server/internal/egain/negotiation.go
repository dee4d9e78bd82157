package egain

import (
	"context"
	"net/http"
	"strings"

	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/labstack/echo/v4"
)

// egainPreferences is what a request asks of an eGain response: XML or JSON, the locale of
// its messages (an index in egainLocales), and whether errors carry a userMessage.
type egainPreferences struct {
	xml         bool
	locale      int
	userMessage bool
}

// egainPreferencesFrom negotiates from the request's headers. A header that admits no
// format or no locale leaves the default (JSON, en-US); validation refuses it afterwards.
func egainPreferencesFrom(h http.Header) egainPreferences {
	languages, _ := httpapi.HeaderList(h, "Accept-Language") // too long: no preference, en-US
	return egainPreferences{
		xml:         prefersXML(h),
		locale:      negotiateLocale(languages),
		userMessage: wantsUserMessage(h),
	}
}

// prefersXML: XML when the Accept header gives it a higher quality than JSON; JSON on a tie,
// for */*, when the header is absent and when it is too long to read.
func prefersXML(h http.Header) bool {
	header, ok := httpapi.HeaderList(h, "Accept")
	if !ok || strings.TrimSpace(header) == "" {
		return false
	}
	accept := httpapi.ParseWeightedList(header)
	return httpapi.AcceptQuality(accept, "application/xml") > httpapi.AcceptQuality(accept, "application/json")
}

// wantsUserMessage reads eGain's X-egain-error-message request header.
func wantsUserMessage(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get("X-egain-error-message")), "yes")
}

func (p egainPreferences) contentLanguage() string { return egainLocales[p.locale] }

// setEgainResponseHeaders says which locale was used and that the representation depends on
// Accept and Accept-Language.
func setEgainResponseHeaders(h http.Header, p egainPreferences) {
	h.Set("Content-Language", p.contentLanguage())
	h.Set("Vary", "Accept, Accept-Language")
}

type egainPreferencesKey struct{}

// withEgainPreferences keeps the negotiated preferences for handlers, which see only the
// request's context.
func withEgainPreferences(ctx context.Context, p egainPreferences) context.Context {
	return context.WithValue(ctx, egainPreferencesKey{}, p)
}

// egainPreferencesOf returns the preferences negotiateEgain put into ctx, or, for a request
// refused before negotiation (the body limit, a path of no API), those its headers h ask
// for (the defaults without headers).
func egainPreferencesOf(ctx context.Context, h http.Header) egainPreferences {
	if p, ok := ctx.Value(egainPreferencesKey{}).(egainPreferences); ok {
		return p
	}
	return egainPreferencesFrom(h)
}

// Prepare negotiates the format and locale of requests that eGain's family answers,
// before validation, so that every response, an error included, follows them.
func (Family) Prepare(c echo.Context) {
	r := c.Request()
	foldAcceptLanguage(r.Header)
	p := egainPreferencesFrom(r.Header)
	setEgainResponseHeaders(c.Response().Header(), p)
	c.SetRequest(r.WithContext(withEgainPreferences(r.Context(), p)))
}

// foldAcceptLanguage makes Accept-Language one field line, as validation and the generated
// handlers read it: repeated lines joined with commas, which means the same (RFC 9110 §5.3),
// and a value longer than the spec's maxLength dropped, as it states no preference.
func foldAcceptLanguage(h http.Header) {
	values := h.Values("Accept-Language")
	if len(values) == 0 {
		return
	}
	if value, ok := httpapi.HeaderList(h, "Accept-Language"); ok {
		h.Set("Accept-Language", value)
	} else {
		h.Del("Accept-Language")
	}
}
