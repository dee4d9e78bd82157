package egain_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// TestNegotiationHeaderLines: repeated Accept and Accept-Language lines form one list, and a
// header too long to read states no preference (Accept-Language: en-US, no 406-100) or
// admits nothing (Accept: 406-101, not 400-196), with bounded work.
func TestNegotiationHeaderLines(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		seedGrants(t, h)
		token := h.UserToken("agent")
		list := func(headers http.Header) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, servertest.GrantsPath("1000"), nil)
			req.Header = headers
			req.Header.Set("Authorization", "Bearer "+token)
			return serve(h, req)
		}

		rec := list(http.Header{"Accept-Language": {"xx", "de;q=0.5, it;q=0.1"}, "Accept": {"text/html", "application/xml"}})
		if rec.Code != 200 || rec.Header().Get("Content-Language") != "de-DE" || rec.Header().Get("Content-Type") != xmlType {
			t.Errorf("repeated lines: %d in %s, %s", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Language"))
		}

		for name, value := range map[string][]string{
			"one line of 1 MB":           {strings.Repeat("fr-CA, ", 1<<20/7)},
			"lines over 1024 bytes":      {strings.Repeat("de, ", 200), strings.Repeat("fr, ", 200)},
			"100k variants":              {"fr" + strings.Repeat("-1996a", 100_000)},
			"1 MB without a well-formed": {strings.Repeat("!", 1<<20)},
		} {
			rec := list(http.Header{"Accept-Language": value})
			if rec.Code != 200 || rec.Header().Get("Content-Language") != "en-US" {
				t.Errorf("Accept-Language %s: %d, %s: %s", name, rec.Code, rec.Header().Get("Content-Language"), rec.Body)
			}
		}

		for name, value := range map[string][]string{
			"one line of 1 MB":    {strings.Repeat("application/json, ", 1<<20/18)},
			"one line of 1025 B":  {"application/json;x=" + strings.Repeat("y", 1006)},
			"two lines of 1024 B": {"application/json;x=" + strings.Repeat("y", 600), "application/xml;x=" + strings.Repeat("y", 600)},
		} {
			rec := list(http.Header{"Accept": value})
			body := servertest.WSError(t, rec, 406, "406-101")
			if rec.Header().Get("Content-Type") != jsonType {
				t.Errorf("Accept %s: 406 in %s", name, rec.Header().Get("Content-Type"))
			}
			checkWSErrorLimits(t, "Accept "+name, body)
		}
	})
}
