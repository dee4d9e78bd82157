package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"
)

// Family is one vendor API as the shared pipeline sees it: the paths it answers, and how it
// renders a problem found before its handlers run. Each vendor package implements one and
// server.New registers it; the pipeline knows none by name.
type Family interface {
	// PathPrefix starts the path of every request the family answers; the longest
	// registered prefix of a path wins.
	PathPrefix() string
	// FromProblem renders a problem of request r in the family's error shape; the caller's
	// values in p are already cut to what an error may echo (Problem.Echoable).
	FromProblem(r *http.Request, p *Problem) VendorError
}

// Preparer is a Family that prepares its requests before validation: eGain negotiates
// the format and locale that every response, an error included, follows; Oracle keeps the
// semicolons of its query.
type Preparer interface {
	Prepare(c echo.Context)
}

// BodyDecoding is a Family that takes bodies of media types kin-openapi cannot decode.
type BodyDecoding interface {
	// BodyDecoders maps media types to decoders; the pipeline adds the UTF-8 check.
	BodyDecoders() map[string]openapi3filter.BodyDecoder
}

// FormatChecking is a Family whose parameters have string formats of their own.
type FormatChecking interface {
	StringFormats() map[string]openapi3.StringFormatValidator
}

// Families are the registered families; paths of none get the fallback's shape.
type Families struct {
	fallback Family
	// byPrefix is ordered longest prefix first.
	byPrefix []Family
}

// NewFamilies registers fallback, which also answers paths of no API, and the others.
func NewFamilies(fallback Family, others ...Family) *Families {
	byPrefix := append([]Family{fallback}, others...)
	slices.SortStableFunc(byPrefix, func(a, b Family) int { return len(b.PathPrefix()) - len(a.PathPrefix()) })
	return &Families{fallback: fallback, byPrefix: byPrefix}
}

// For is the family that answers requests on path.
func (f *Families) For(path string) Family {
	for _, family := range f.byPrefix {
		if strings.HasPrefix(path, family.PathPrefix()) {
			return family
		}
	}
	return f.fallback
}

// stringFormats collects every family's string formats.
func (f *Families) stringFormats() map[string]openapi3.StringFormatValidator {
	formats := map[string]openapi3.StringFormatValidator{}
	for _, family := range f.byPrefix {
		if checking, ok := family.(FormatChecking); ok {
			for name, validator := range checking.StringFormats() {
				formats[name] = validator
			}
		}
	}
	return formats
}

// Prepare lets the request's family prepare it before validation.
func (f *Families) Prepare(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if preparer, ok := f.For(c.Request().URL.Path).(Preparer); ok {
			preparer.Prepare(c)
		}
		return next(c)
	}
}

var (
	bodyDecodersMu sync.Mutex
	// bodyDecodersRegistered lists the media types whose decoders are registered with
	// kin-openapi, whose registry is process-wide: each is registered once, by the first
	// server built, before any request is validated.
	bodyDecodersRegistered = map[string]bool{}
)

// RegisterBodyDecoders registers, once per media type, JSON's decoder (for every API, and
// the +json types that fall back to it; a body with data after its value is malformed), the
// form decoder (the token endpoint's) and the families' own, each behind the UTF-8 check
// (which also refuses a Content-Type that cannot be parsed) and the text rule.
func (f *Families) RegisterBodyDecoders() {
	bodyDecodersMu.Lock()
	defer bodyDecodersMu.Unlock()
	register := func(mediaType string, decode openapi3filter.BodyDecoder) {
		if !bodyDecodersRegistered[mediaType] {
			openapi3filter.RegisterBodyDecoder(mediaType, decode)
			bodyDecodersRegistered[mediaType] = true
		}
	}
	if !bodyDecodersRegistered["application/json"] {
		register("application/json", utf8Body(textCheckedBody(wholeJSONBody(openapi3filter.RegisteredBodyDecoder("application/json")))))
	}
	const form = "application/x-www-form-urlencoded"
	if !bodyDecodersRegistered[form] {
		register(form, utf8Body(textCheckedBody(openapi3filter.RegisteredBodyDecoder(form))))
	}
	for _, family := range f.byPrefix {
		if decoding, ok := family.(BodyDecoding); ok {
			for mediaType, decode := range decoding.BodyDecoders() {
				register(mediaType, utf8Body(textCheckedBody(decode)))
			}
		}
	}
}
