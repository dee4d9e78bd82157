package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// Each framework version gets errors in its format, and every response says which version
// served it: JSON from version 4, a line of text before; anything but 1–9 is refused.
func TestOracleFrameworkVersions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.userToken("css-admin")
		for _, tc := range []struct {
			header  string // REST-Framework-Version sent; "" sends none
			used    string // REST-Framework-Version answered
			json    bool
			refused bool
		}{
			{"", "1", false, false},
			{"1", "1", false, false}, {"2", "2", false, false}, {"3", "3", false, false},
			{"4", "4", true, false}, {"5", "5", true, false}, {"6", "6", true, false},
			{"7", "7", true, false}, {"8", "8", true, false}, {"9", "9", true, false},
			{"0", "1", false, true}, {"10", "1", false, true}, {"abc", "1", false, true}, {"4.0", "1", false, true},
		} {
			t.Run("version "+tc.header, func(t *testing.T) {
				send := func(r request) *httptest.ResponseRecorder {
					r.headers = map[string]string{}
					if tc.header != "" {
						r.headers[headerFrameworkVersion] = tc.header
					}
					rec := h.do(r)
					if got := rec.Header().Get(headerFrameworkVersion); got != tc.used {
						t.Errorf("%s %s: REST-Framework-Version %q, want %q", r.method, r.path, got, tc.used)
					}
					return rec
				}
				// An error found by the handler, and one found before it (no token).
				for _, r := range []request{
					{method: http.MethodGet, path: rolesPath(999), token: token},
					{method: http.MethodGet, path: rolesPath(pat)},
				} {
					rec := send(r)
					want := map[bool]*adfError{true: newADFError(cssUserNotFound, int64(999)), false: newADFError(adfAuthenticationRequired)}[r.token != ""]
					// Security is checked before the header: without a token, a refused
					// version gets the 401, written as for version 1.
					switch {
					case tc.refused && r.token != "":
						checkTextError(t, rec, newADFError(adfUnsupportedVersion, tc.header))
					case tc.json:
						// The JSON detail is the message the text form shows alone.
						if got := adfErrorOf(t, rec, want.HTTPStatus(), want.ErrorCode()).Detail; got != want.detail() {
							t.Errorf("detail %q, want %q", got, want.detail())
						}
					default:
						checkTextError(t, rec, want)
					}
				}
				// A success.
				rec := send(request{method: http.MethodGet, path: rolesPath(pat), token: token})
				if !tc.refused && rec.Code != http.StatusOK {
					t.Errorf("list: %d %s", rec.Code, rec.Body)
				}
			})
		}
	})
}

// checkTextError checks a plain-text error (framework versions 1 to 3): its status, and
// the message alone as the body, as Oracle sends it.
func checkTextError(t *testing.T, rec *httptest.ResponseRecorder, want *adfError) {
	t.Helper()
	if rec.Code != want.HTTPStatus() {
		t.Fatalf("status %d, want %d: %s", rec.Code, want.HTTPStatus(), rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("Content-Type %q, want text/plain", ct)
	}
	if body := rec.Body.String(); body != want.detail() || strings.Contains(body, "%!") {
		t.Fatalf("text error %q, want the message alone: %q", body, want.detail())
	}
}

func TestOracleMetadataContextIsEchoed(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		const sandbox = `sandbox="TrackEmployeeFeature"`
		for _, r := range []request{
			adf(http.MethodGet, rolesPath(pat), h.userToken("css-admin"), ""),               // success
			adf(http.MethodGet, rolesPath(999), h.userToken("css-admin"), ""),               // handler's error
			adf(http.MethodGet, rolesPath(pat)+"?colour=red", h.userToken("css-admin"), ""), // validation's error
			adf(http.MethodGet, rolesPath(pat), "", ""),                                     // no token
		} {
			if got := h.do(r.with(headerMetadataContext, sandbox)).Header().Get(headerMetadataContext); got != sandbox {
				t.Errorf("%s: Metadata-Context %q", r.path, got)
			}
			if got := h.do(r).Header().Values(headerMetadataContext); len(got) != 0 {
				t.Errorf("%s: Metadata-Context %q without one in the request", r.path, got)
			}
		}
	})
}

func TestOracleRoutingMediaTypesAndSystemErrors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.userToken("css-admin")
		h.createRole(pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)

		detail := adfErrorOf(t, h.do(adf(http.MethodGet, selfServiceUserPath(pat), token, "")), 404, "ADF_REST_RESOURCE_NOT_FOUND")
		if !strings.Contains(detail.Detail, selfServiceUserPath(pat)) {
			t.Errorf("detail %q does not name the path", detail.Detail)
		}
		adfErrorOf(t, h.do(adf(http.MethodPut, rolePath(pat, 1), token, `{}`)), 405, "ADF_REST_METHOD_NOT_ALLOWED")

		// Accept: the ADF types, JSON (they are JSON), anything; not HTML.
		for accept, status := range map[string]int{
			"application/json": 200, "application/vnd.oracle.adf.resourcecollection+json": 200, "*/*": 200,
			"application/*": 200, "text/html": 406,
		} {
			rec := h.do(adf(http.MethodGet, rolesPath(pat), token, "").with("Accept", accept))
			if rec.Code != status {
				t.Errorf("Accept %s: status %d, want %d", accept, rec.Code, status)
			}
		}

		// Links follow the scheme the client used behind a proxy on a private network, and
		// ignore the header from anywhere else.
		for remote, scheme := range map[string]string{"10.0.0.7:4000": "https", "203.0.113.9:4000": "http"} {
			req := httptest.NewRequest(http.MethodGet, rolesPath(pat), nil)
			req.RemoteAddr = remote
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Forwarded-Proto", "https")
			rec := httptest.NewRecorder()
			h.e.ServeHTTP(rec, req)
			collection := decodeRoles(t, rec)
			if href := (*collection.Items[0].Links)[0].Href; !strings.HasPrefix(href, scheme+"://example.com/crmRestApi/") {
				t.Errorf("from %s: href %s, want scheme %s", remote, href, scheme)
			}
		}

		// A database failure is a 500 in the framework's format, never a bare one.
		if err := h.store.Close(); err != nil {
			t.Fatal(err)
		}
		adfErrorOf(t, h.do(adf(http.MethodGet, rolesPath(pat), token, "")), 500, "ADF_REST_INTERNAL_ERROR")
		adfErrorOf(t, h.do(adf(http.MethodPost, rolesPath(pat), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)), 500, "ADF_REST_INTERNAL_ERROR")
		checkTextError(t, h.do(request{method: http.MethodDelete, path: rolePath(pat, 1), token: token}), newADFError(adfSystem))
	})
}

func TestOraclePanicBecomesADFError(t *testing.T) {
	tokens, _ := auth.NewTokens(testSecret)
	// Without a store every handler panics on its first query.
	e, err := New(Config{Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue(auth.PrincipalUser, "css-admin", nil, 3600e9)
	req := httptest.NewRequest(http.MethodGet, rolesPath(pat), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(headerFrameworkVersion, "6")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	adfErrorOf(t, rec, 500, "ADF_REST_INTERNAL_ERROR")
	if got := rec.Header().Get(headerFrameworkVersion); got != "6" {
		t.Errorf("REST-Framework-Version %q", got)
	}
}

// Behind a load balancer the URLs in responses start with the configured public URL,
// whatever Host and X-Forwarded-Proto say; without one, X-Forwarded-Proto counts only from
// the configured proxies.
func TestOracleLinksBehindLoadBalancer(t *testing.T) {
	loadBalancers := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	send := func(h *harness, r request, remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(r.method, "http://instance-3.internal:8080"+r.path, strings.NewReader(r.body))
		req.RemoteAddr = remote
		req.Header.Set("Authorization", "Bearer "+r.token)
		req.Header.Set("X-Forwarded-Proto", "https")
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.e.ServeHTTP(rec, req)
		return rec
	}
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newConfiguredHarness(t, dialect, func(cfg *Config) {
			cfg.PublicURL, cfg.TrustedProxies = "https://crm.example.com", loadBalancers
		}, oracleFixture)
		token := h.userToken("css-admin")
		want := "https://crm.example.com" + rolePath(pat, 1)
		rec := send(h, adf(http.MethodPost, rolesPath(pat), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`), "203.0.113.9:4000")
		if got := rec.Header().Get("Location"); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		role := decodeRole(t, rec, http.StatusCreated)
		if got := (*role.Links)[0].Href; got != want {
			t.Errorf("self link %q, want %q", got, want)
		}
		collection := decodeRoles(t, send(h, adf(http.MethodGet, rolesPath(pat), token, ""), "192.0.2.10:4000"))
		if got := (*collection.Items[0].Links)[0].Href; got != want {
			t.Errorf("item link in a page %q, want %q", got, want)
		}

		h = newConfiguredHarness(t, dialect, func(cfg *Config) { cfg.TrustedProxies = loadBalancers }, oracleFixture)
		token = h.userToken("css-admin")
		h.createRole(pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
		for remote, scheme := range map[string]string{"192.0.2.10:4000": "https", "10.0.0.7:4000": "http", "127.0.0.1:4000": "http"} {
			collection := decodeRoles(t, send(h, adf(http.MethodGet, rolesPath(pat), token, ""), remote))
			if got := (*collection.Items[0].Links)[0].Href; got != scheme+"://instance-3.internal:8080"+rolePath(pat, 1) {
				t.Errorf("from %s: link %q, want scheme %s", remote, got, scheme)
			}
		}
	})
}

func TestParsePublicURL(t *testing.T) {
	for raw, want := range map[string]string{
		"": "", "https://api.example.com": "https://api.example.com", "https://api.example.com/": "https://api.example.com",
		"http://127.0.0.1:8080": "http://127.0.0.1:8080",
	} {
		if got, err := ParsePublicURL(raw); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"api.example.com", "ftp://api.example.com", "https://api.example.com/crm", "https://u:p@api.example.com",
		"https://api.example.com?x=1", "https://api.example.com#top", "https://", "https:api.example.com", "https://:443"} {
		if got, err := ParsePublicURL(raw); err == nil {
			t.Errorf("%q accepted as %q", raw, got)
		}
	}
}
