package oracle_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// Each framework version gets errors in its format, and every response says which version
// served it: JSON from version 4, a line of text before; anything but 1–9 is refused.
func TestOracleFrameworkVersions(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
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
				send := func(r servertest.Request) *httptest.ResponseRecorder {
					r.Headers = map[string]string{}
					if tc.header != "" {
						r.Headers[oracle.HeaderFrameworkVersion] = tc.header
					}
					rec := h.Do(r)
					if got := rec.Header().Get(oracle.HeaderFrameworkVersion); got != tc.used {
						t.Errorf("%s %s: REST-Framework-Version %q, want %q", r.Method, r.Path, got, tc.used)
					}
					return rec
				}
				// An error found by the handler, and one found before it (no token).
				for _, r := range []servertest.Request{
					{Method: http.MethodGet, Path: servertest.RolesPath(999), Token: token},
					{Method: http.MethodGet, Path: servertest.RolesPath(servertest.Pat)},
				} {
					rec := send(r)
					want := map[bool]*oracle.ADFError{true: oracle.NewADFError(oracle.CSSUserNotFound, int64(999)), false: oracle.NewADFError(oracle.ADFAuthenticationRequired)}[r.Token != ""]
					// Security is checked before the header: without a token, a refused
					// version gets the 401, written as for version 1.
					switch {
					case tc.refused && r.Token != "":
						checkTextError(t, rec, oracle.NewADFError(oracle.ADFUnsupportedVersion, tc.header))
					case tc.json:
						// The JSON detail is the message the text form shows alone.
						if got := servertest.ADFErrorOf(t, rec, want.HTTPStatus(), want.ErrorCode()).Detail; got != want.Detail() {
							t.Errorf("detail %q, want %q", got, want.Detail())
						}
					default:
						checkTextError(t, rec, want)
					}
				}
				// A success.
				rec := send(servertest.Request{Method: http.MethodGet, Path: servertest.RolesPath(servertest.Pat), Token: token})
				if !tc.refused && rec.Code != http.StatusOK {
					t.Errorf("list: %d %s", rec.Code, rec.Body)
				}
			})
		}
	})
}

// checkTextError checks a plain-text error (framework versions 1 to 3): its status, and
// the message alone as the body, as Oracle sends it.
func checkTextError(t *testing.T, rec *httptest.ResponseRecorder, want *oracle.ADFError) {
	t.Helper()
	if rec.Code != want.HTTPStatus() {
		t.Fatalf("status %d, want %d: %s", rec.Code, want.HTTPStatus(), rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("Content-Type %q, want text/plain", ct)
	}
	if body := rec.Body.String(); body != want.Detail() || strings.Contains(body, "%!") {
		t.Fatalf("text error %q, want the message alone: %q", body, want.Detail())
	}
}

func TestOracleMetadataContextIsEchoed(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		const sandbox = `sandbox="TrackEmployeeFeature"`
		for _, r := range []servertest.Request{
			servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), ""),               // success
			servertest.ADF(http.MethodGet, servertest.RolesPath(999), h.UserToken("css-admin"), ""),                          // handler's error
			servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?colour=red", h.UserToken("css-admin"), ""), // validation's error
			servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), "", ""),                                     // no token
		} {
			if got := h.Do(r.With(oracle.HeaderMetadataContext, sandbox)).Header().Get(oracle.HeaderMetadataContext); got != sandbox {
				t.Errorf("%s: Metadata-Context %q", r.Path, got)
			}
			if got := h.Do(r).Header().Values(oracle.HeaderMetadataContext); len(got) != 0 {
				t.Errorf("%s: Metadata-Context %q without one in the request", r.Path, got)
			}
		}
	})
}

func TestOracleRoutingMediaTypesAndSystemErrors(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
		h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)

		unserved := oracle.SelfServiceUserPath(servertest.Pat) + "/child/SelfServiceRolesArchive"
		detail := servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodGet, unserved, token, "")), 404, "ADF_REST_RESOURCE_NOT_FOUND")
		if !strings.Contains(detail.Detail, unserved) {
			t.Errorf("detail %q does not name the path", detail.Detail)
		}
		servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodPut, servertest.RolePath(servertest.Pat, 1), token, `{}`)), 405, "ADF_REST_METHOD_NOT_ALLOWED")

		// Accept: the ADF types, JSON (they are JSON), anything; not HTML.
		for accept, status := range map[string]int{
			"application/json": 200, "application/vnd.oracle.adf.resourcecollection+json": 200, "*/*": 200,
			"application/*": 200, "text/html": 406,
		} {
			rec := h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), token, "").With("Accept", accept))
			if rec.Code != status {
				t.Errorf("Accept %s: status %d, want %d", accept, rec.Code, status)
			}
		}

		// Links follow the scheme the client used behind a proxy on a private network, and
		// ignore the header from anywhere else.
		for remote, scheme := range map[string]string{"10.0.0.7:4000": "https", "203.0.113.9:4000": "http"} {
			req := httptest.NewRequest(http.MethodGet, servertest.RolesPath(servertest.Pat), nil)
			req.RemoteAddr = remote
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Forwarded-Proto", "https")
			rec := httptest.NewRecorder()
			h.E.ServeHTTP(rec, req)
			collection := servertest.DecodeRoles(t, rec)
			if href := (*collection.Items[0].Links)[0].Href; !strings.HasPrefix(href, scheme+"://example.com/crmRestApi/") {
				t.Errorf("from %s: href %s, want scheme %s", remote, href, scheme)
			}
		}

		// A database failure is a 500 in the framework's format, never a bare one.
		h.followLinks(t)
		if err := h.Store.Close(); err != nil {
			t.Fatal(err)
		}
		servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), token, "")), 500, "ADF_REST_INTERNAL_ERROR")
		servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)), 500, "ADF_REST_INTERNAL_ERROR")
		checkTextError(t, h.Do(servertest.Request{Method: http.MethodDelete, Path: servertest.RolePath(servertest.Pat, 1), Token: token}), oracle.NewADFError(oracle.ADFSystem))
	})
}

func TestOraclePanicBecomesADFError(t *testing.T) {
	tokens, _ := auth.NewTokens(servertest.Secret)
	// Without a store every handler panics on its first query.
	e, err := server.New(server.Config{Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue(auth.PrincipalUser, "css-admin", nil, 3600e9)
	req := httptest.NewRequest(http.MethodGet, servertest.RolesPath(servertest.Pat), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(oracle.HeaderFrameworkVersion, "6")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	servertest.ADFErrorOf(t, rec, 500, "ADF_REST_INTERNAL_ERROR")
	if got := rec.Header().Get(oracle.HeaderFrameworkVersion); got != "6" {
		t.Errorf("REST-Framework-Version %q", got)
	}
}

// Behind a load balancer the URLs in responses start with the configured public URL,
// whatever Host and X-Forwarded-Proto say; without one, X-Forwarded-Proto counts only from
// the configured proxies.
func TestOracleLinksBehindLoadBalancer(t *testing.T) {
	loadBalancers := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	send := func(h *harness, r servertest.Request, remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(r.Method, "http://instance-3.internal:8080"+r.Path, strings.NewReader(r.Body))
		req.RemoteAddr = remote
		req.Header.Set("Authorization", "Bearer "+r.Token)
		req.Header.Set("X-Forwarded-Proto", "https")
		if r.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.E.ServeHTTP(rec, req)
		return rec
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := &harness{Harness: servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
			cfg.PublicURL, cfg.TrustedProxies = "https://crm.example.com", loadBalancers
		}, servertest.OracleFixture)}
		token := h.UserToken("css-admin")
		want := "https://crm.example.com" + servertest.RolePath(servertest.Pat, 1)
		rec := send(h, servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`), "203.0.113.9:4000")
		if got := rec.Header().Get("Location"); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		role := servertest.DecodeRole(t, rec, http.StatusCreated)
		if got := (*role.Links)[0].Href; got != want {
			t.Errorf("self link %q, want %q", got, want)
		}
		collection := servertest.DecodeRoles(t, send(h, servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), token, ""), "192.0.2.10:4000"))
		if got := (*collection.Items[0].Links)[0].Href; got != want {
			t.Errorf("item link in a page %q, want %q", got, want)
		}

		h = &harness{Harness: servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.TrustedProxies = loadBalancers }, servertest.OracleFixture)}
		token = h.UserToken("css-admin")
		h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
		for remote, scheme := range map[string]string{"192.0.2.10:4000": "https", "10.0.0.7:4000": "http", "127.0.0.1:4000": "http"} {
			collection := servertest.DecodeRoles(t, send(h, servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), token, ""), remote))
			if got := (*collection.Items[0].Links)[0].Href; got != scheme+"://instance-3.internal:8080"+servertest.RolePath(servertest.Pat, 1) {
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
		if got, err := server.ParsePublicURL(raw); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"api.example.com", "ftp://api.example.com", "https://api.example.com/crm", "https://u:p@api.example.com",
		"https://api.example.com?x=1", "https://api.example.com#top", "https://", "https:api.example.com", "https://:443"} {
		if got, err := server.ParsePublicURL(raw); err == nil {
			t.Errorf("%q accepted as %q", raw, got)
		}
	}
}
