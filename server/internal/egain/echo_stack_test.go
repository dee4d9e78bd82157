package egain_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/custaccess/custaccess/store"
)

// TestErrorsQuoteRequestsWithinLimits: an error quotes what the request sent (a path, a
// method, query parameter names, headers, member and element names) cut to 256 characters
// and "…", and every text of the body keeps to WSError's limits, in every format and locale.
func TestErrorsQuoteRequestsWithinLimits(t *testing.T) {
	long := strings.Repeat("ü", 5000)
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		token := h.UserToken("agent")
		manyNames := url.Values{}
		for i := range 600 {
			manyNames.Set(strings.Repeat("p", 90)+strings.Repeat("q", i%10)+string(rune('a'+i%26))+strings.Repeat("r", i), "1")
		}
		for _, tc := range []struct {
			name   string
			req    func() *http.Request
			status int
			code   string
			quoted string // what the error quotes, before it is cut
		}{
			{"404-101 path", func() *http.Request {
				return httptest.NewRequest(http.MethodGet, "/core/customermgr/v3/"+url.PathEscape(long), nil)
			}, 404, "404-101", "/core/customermgr/v3/" + long},
			{"405-100 method", func() *http.Request {
				return httptest.NewRequest(strings.Repeat("M", 5000), servertest.GrantPath, nil)
			}, 405, "405-100", strings.Repeat("M", 5000)},
			{"400-101 a long name", func() *http.Request {
				return httptest.NewRequest(http.MethodGet, servertest.GrantsPath("1000")+"?"+url.QueryEscape(long)+"=1", nil)
			}, 400, "400-101", long},
			{"400-101 many names", func() *http.Request {
				return httptest.NewRequest(http.MethodGet, servertest.GrantsPath("1000")+"?"+manyNames.Encode(), nil)
			}, 400, "400-101", ""},
			{"406-100 Accept-Language", func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, servertest.GrantsPath("1000"), nil)
				r.Header.Set("Accept-Language", strings.Repeat("!", 1000))
				return r
			}, 406, "406-100", strings.Repeat("!", 1000)},
			{"406-101 Accept", func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, servertest.GrantsPath("1000"), nil)
				r.Header.Set("Accept", "text/html;x="+strings.Repeat("y", 1000))
				return r
			}, 406, "406-101", "text/html;x=" + strings.Repeat("y", 1000)},
			{"400-152 member name", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, servertest.GrantPath, strings.NewReader(`{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002"}]},"`+long+`":1}`))
				r.Header.Set("Content-Type", jsonType)
				return r
			}, 400, "400-152", long},
			{"400-202 element name", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, servertest.GrantPath, strings.NewReader(xmlGrants(`<grantsOn><customer id="1000"/></grantsOn><`+strings.Repeat("e", 5000)+` xmlns="urn:x"/>`)))
				r.Header.Set("Content-Type", xmlType)
				return r
			}, 400, "400-202", strings.Repeat("e", 5000)},
			{"415-100 Content-Type", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, servertest.GrantPath, strings.NewReader(servertest.GrantBody("1000", "1002")))
				r.Header.Set("Content-Type", "application/json; x="+strings.Repeat("y", 5000))
				return r
			}, 415, "415-100", "application/json; x=" + strings.Repeat("y", 5000)},
		} {
			for _, locale := range []string{"en-US", "ru-RU", "ja-JP"} {
				for _, mediaType := range []string{jsonType, xmlType} {
					req := tc.req()
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("X-egain-error-message", "yes")
					if req.Header.Get("Accept") == "" {
						req.Header.Set("Accept", mediaType)
					}
					if req.Header.Get("Accept-Language") == "" {
						req.Header.Set("Accept-Language", locale)
					}
					body := servertest.WSError(t, serve(h, req), tc.status, tc.code)
					checkWSErrorLimits(t, tc.name, body)
					if tc.quoted != "" && !strings.Contains(body.DeveloperMessage, untrusted.Echoed(tc.quoted)) {
						t.Errorf("%s: developerMessage %.300q… does not quote %.40q… cut to 256 characters", tc.name, body.DeveloperMessage, tc.quoted)
					}
				}
			}
		}
	})
}

// checkWSErrorLimits checks a body against WSError's maxLength and maxItems, which the
// harness checks too for every response of an operation (not for 404-101 and 405-100).
func checkWSErrorLimits(t *testing.T, name string, body gen.WSError) {
	t.Helper()
	if n := utf8.RuneCountInString(body.DeveloperMessage); n > egain.MaxDeveloperMessageLength {
		t.Errorf("%s: developerMessage of %d characters", name, n)
	}
	if body.UserMessage != nil {
		if n := utf8.RuneCountInString(*body.UserMessage); n > egain.MaxUserMessageLength {
			t.Errorf("%s: userMessage of %d characters", name, n)
		}
	}
	if body.Details == nil {
		return
	}
	if len(*body.Details) > egain.MaxErrorDetails {
		t.Errorf("%s: %d details", name, len(*body.Details))
	}
	for _, d := range *body.Details {
		if utf8.RuneCountInString(d.Key) > egain.MaxDetailKeyLength || utf8.RuneCountInString(d.Value) > egain.MaxDetailValueLength {
			t.Errorf("%s: detail %.40q… of %d characters", name, d.Key, utf8.RuneCountInString(d.Value))
		}
	}
}
