package oauth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/oauth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// issuedToken checks a successful token response and returns it.
func issuedToken(t *testing.T, rec *httptest.ResponseRecorder) gen.TokenResponse {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Pragma") != "no-cache" {
		t.Errorf("token response may be cached: %v", rec.Header())
	}
	var body gen.TokenResponse
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.AccessToken == "" || body.TokenType != gen.Bearer || body.ExpiresIn <= 0 {
		t.Fatalf("token response %+v", body)
	}
	return body
}

func TestTokenEndpointIssuesTokensTheAPIsAccept(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		var logs bytes.Buffer
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
			cfg.TokenTTL = 5 * time.Minute
			cfg.Logger = servertest.JSONLogger(&logs)
		}, servertest.ReltioFixture, servertest.TokenFixture)

		// HTTP Basic, every client scope: the token creates and lists grants.
		token := issuedToken(t, h.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm()}))
		if token.ExpiresIn != 300 || token.Scope != "app.core.customermgr.manage app.core.customermgr.read reltio.roles.manage reltio.roles.read" {
			t.Errorf("token %+v: want 300 s and every client scope", token)
		}
		if rec := h.Do(servertest.Post(token.AccessToken, servertest.GrantBody("1000", "1002"))); rec.Code != http.StatusCreated {
			t.Errorf("create with the issued token: %d %s", rec.Code, rec.Body)
		}
		claims, err := h.Tokens.Parse(token.AccessToken)
		if err != nil || claims.Kind != auth.PrincipalClient || claims.Subject != "crm-sync" {
			t.Errorf("issued token's claims %+v, %v", claims, err)
		}

		// Credentials in the body, one scope: reading is allowed, writing is not.
		token = issuedToken(t, h.RequestToken(servertest.TokenRequest{Form: servertest.ClientCredentialsForm(
			"client_id", "crm-sync", "client_secret", servertest.CRMSyncSecret, "scope", "app.core.customermgr.read app.core.customermgr.read")}))
		if token.Scope != "app.core.customermgr.read" {
			t.Errorf("scope %q, want the one requested", token.Scope)
		}
		if rec := h.Do(servertest.Get(token.AccessToken, servertest.GrantsPath("1000"))); rec.Code != http.StatusOK {
			t.Errorf("list with a read token: %d", rec.Code)
		}
		servertest.WSError(t, h.Do(servertest.Post(token.AccessToken, servertest.GrantBody("1000", "1020"))), 403, "403-105")

		// A secret with ':', '+' and '%', form-urlencoded in Basic; the token serves Reltio.
		token = issuedToken(t, h.RequestToken(servertest.TokenRequest{ClientID: "reltio-sync", Secret: servertest.ReltioSyncSecret, Form: servertest.ClientCredentialsForm()}))
		if rec := h.Do(servertest.Get(token.AccessToken, servertest.ReltioPath("TestCustomer", "/roles"))); rec.Code != http.StatusOK {
			t.Errorf("Reltio with the issued token: %d %s", rec.Code, rec.Body)
		}

		for _, secret := range []string{servertest.CRMSyncSecret, servertest.ReltioSyncSecret, url.QueryEscape(servertest.ReltioSyncSecret)} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log holds the secret %q", secret)
			}
		}
		if !strings.Contains(logs.String(), `"operation":"issueToken","method":"POST","path":"/oauth/token","principal":"client:crm-sync","status":200`) {
			t.Errorf("no request line for the token request naming its client: %s", logs.String())
		}
	})
}

func TestTokenEndpointErrors(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.TokenFixture)
		basic := func(clientID, secret string) string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))
		}
		cases := []struct {
			name   string
			req    servertest.TokenRequest
			status int
			code   string
		}{
			{"wrong secret", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret + "x", Form: servertest.ClientCredentialsForm()}, 401, "invalid_client"},
			{"wrong secret in the body", servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "crm-sync", "client_secret", "nope-nope-nope-nope")}, 401, "invalid_client"},
			{"unknown client", servertest.TokenRequest{ClientID: "mallory", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm()}, 401, "invalid_client"},
			{"client without a secret", servertest.TokenRequest{ClientID: "portal", Secret: "", Form: servertest.ClientCredentialsForm()}, 401, "invalid_client"},
			{"no client authentication", servertest.TokenRequest{Form: servertest.ClientCredentialsForm()}, 401, "invalid_client"},
			{"client_id without secret", servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "crm-sync")}, 401, "invalid_client"},
			{"bearer instead of Basic", servertest.TokenRequest{Form: servertest.ClientCredentialsForm(), Headers: map[string]string{"Authorization": "Bearer " + h.ClientToken("crm-sync")}}, 401, "invalid_client"},
			{"Basic not form-urlencoded", servertest.TokenRequest{Form: servertest.ClientCredentialsForm(), Headers: map[string]string{"Authorization": basic("crm-sync", "%zz")}}, 401, "invalid_client"},
			{"repeated parameter", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: url.Values{"grant_type": {"client_credentials", "client_credentials"}}}, 400, "invalid_request"},
			{"repeated client_id", servertest.TokenRequest{Form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"crm-sync", "mallory"}, "client_secret": {servertest.CRMSyncSecret}}}, 400, "invalid_request"},
			{"empty parameters are omitted", servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "crm-sync", "client_secret", "")}, 401, "invalid_client"},
			{"both methods", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm("client_id", "crm-sync", "client_secret", servertest.CRMSyncSecret)}, 400, "invalid_request"},
			{"password grant", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: url.Values{"grant_type": {"password"}}}, 400, "unsupported_grant_type"},
			{"no grant type", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: url.Values{"scope": {"app.core.customermgr.read"}}}, 400, "invalid_request"},
			{"unknown scope", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm("scope", `app.core.customermgr.read "evil"\`)}, 400, "invalid_scope"},
			{"user scope", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm("scope", "core.customermgr.manage")}, 400, "invalid_scope"},
			{"JSON body", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Headers: map[string]string{"Content-Type": "application/json"}}, 400, "invalid_request"},
			{"Accept without JSON", servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm(), Headers: map[string]string{"Accept": "text/html"}}, 406, "invalid_request"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				servertest.OAuthErr(t, h.RequestToken(tc.req), tc.status, tc.code)
			})
		}

		t.Run("not POST", func(t *testing.T) {
			servertest.OAuthErr(t, h.Do(servertest.Get("", "/oauth/token")), http.StatusMethodNotAllowed, "invalid_request")
		})
		t.Run("body too large", func(t *testing.T) {
			big := servertest.ClientCredentialsForm("scope", strings.Repeat("a", 70_000))
			servertest.OAuthErr(t, h.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: big}), http.StatusRequestEntityTooLarge, "invalid_request")
		})
		t.Run("unknown query parameter", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/oauth/token?client_secret=x", strings.NewReader(servertest.ClientCredentialsForm().Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.E.ServeHTTP(rec, req)
			servertest.OAuthErr(t, rec, http.StatusBadRequest, "invalid_request")
		})
		// Reltio's paths keep Reltio's errors.
		servertest.ReltioErr(t, h.Do(servertest.Get("", servertest.ReltioPath("TestCustomer", "/roles"))), 401, 40101)
	})
}

// tooManyTokenRequests checks a refusal by one of the token endpoint's rate limits.
func tooManyTokenRequests(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	servertest.OAuthErr(t, rec, http.StatusTooManyRequests, "temporarily_unavailable")
	if retry, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || retry < 1 {
		t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
}

// TestTokenEndpointRateLimits: the token endpoint counts apart from the APIs, by client id
// and address, and failed authentications by address whatever the client id claimed.
func TestTokenEndpointRateLimits(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		// Nothing refills while the test runs.
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
			cfg.RateLimit = server.RateLimit{PerSecond: 0.001, Burst: 1}
			cfg.TokenRateLimit = server.RateLimit{PerSecond: 0.001, Burst: 2}
		}, servertest.TokenFixture)
		good := func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm(), From: from}
		}
		guess := func(clientID, from string) servertest.TokenRequest {
			return servertest.TokenRequest{ClientID: clientID, Secret: "guess-guess-guess-guess", Form: servertest.ClientCredentialsForm(), From: from}
		}

		// A stranger guessing crm-sync's secret spends neither crm-sync's API budget nor its
		// token requests from elsewhere.
		servertest.OAuthErr(t, h.RequestToken(guess("crm-sync", "203.0.113.1:1000")), 401, "invalid_client")
		servertest.OAuthErr(t, h.RequestToken(guess("crm-sync", "203.0.113.1:1001")), 401, "invalid_client")
		tooManyTokenRequests(t, h.RequestToken(guess("crm-sync", "203.0.113.1:1002")))
		token := issuedToken(t, h.RequestToken(good("198.51.100.1:1000")))
		if rec := h.Do(servertest.Get(token.AccessToken, servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("crm-sync's API request after a stranger's token requests: %d %s", rec.Code, rec.Body)
		}

		// Per client id and address: crm-sync's own requests from one address.
		issuedToken(t, h.RequestToken(good("198.51.100.1:1001")))
		tooManyTokenRequests(t, h.RequestToken(good("198.51.100.1:1002")))

		// Failures per address: new client ids gain nothing, and unknown ids count like
		// wrong secrets, so the answers do not tell which ids exist.
		servertest.OAuthErr(t, h.RequestToken(guess("mallory-1", "203.0.113.2:1000")), 401, "invalid_client")
		servertest.OAuthErr(t, h.RequestToken(guess("crm-sync", "203.0.113.2:1001")), 401, "invalid_client")
		tooManyTokenRequests(t, h.RequestToken(guess("mallory-2", "203.0.113.2:1002")))
		tooManyTokenRequests(t, h.RequestToken(guess("crm-sync", "203.0.113.2:1003")))
		tooManyTokenRequests(t, h.RequestToken(good("203.0.113.2:1004")))
		// Another address is not affected.
		issuedToken(t, h.RequestToken(good("198.51.100.2:1000")))
	})
}

// TestTokenEndpointCallerAddress: X-Forwarded-For names the caller only when a trusted
// proxy sends it; otherwise writing it does not escape the limits.
func TestTokenEndpointCallerAddress(t *testing.T) {
	guess := func(from, forwardedFor string) servertest.TokenRequest {
		return servertest.TokenRequest{ClientID: "mallory", Secret: "guess-guess-guess-guess", Form: servertest.ClientCredentialsForm(), From: from,
			Headers: map[string]string{"X-Forwarded-For": forwardedFor}}
	}
	limit := server.RateLimit{PerSecond: 0.001, Burst: 1}
	direct := servertest.NewConfigured(t, store.SQLite, func(cfg *server.Config) { cfg.TokenRateLimit = limit }, servertest.TokenFixture)
	servertest.OAuthErr(t, direct.RequestToken(guess("203.0.113.1:1000", "198.51.100.1")), 401, "invalid_client")
	tooManyTokenRequests(t, direct.RequestToken(guess("203.0.113.1:1001", "198.51.100.2")))
	// Not even from a private address: only configured proxies are trusted.
	servertest.OAuthErr(t, direct.RequestToken(guess("10.0.0.5:1000", "198.51.100.3")), 401, "invalid_client")
	tooManyTokenRequests(t, direct.RequestToken(guess("10.0.0.5:1001", "198.51.100.4")))

	proxied := servertest.NewConfigured(t, store.SQLite, func(cfg *server.Config) {
		cfg.TokenRateLimit = limit
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	}, servertest.TokenFixture)
	servertest.OAuthErr(t, proxied.RequestToken(guess("10.0.0.5:1000", "198.51.100.1")), 401, "invalid_client")
	servertest.OAuthErr(t, proxied.RequestToken(guess("10.0.0.6:1000", "198.51.100.2")), 401, "invalid_client")
	tooManyTokenRequests(t, proxied.RequestToken(guess("10.0.0.7:1000", "198.51.100.1")))
	// A caller's own X-Forwarded-For entries before the proxy's count for nothing.
	tooManyTokenRequests(t, proxied.RequestToken(guess("10.0.0.5:1001", "192.0.2.77, 198.51.100.2")))
}

// TestTokenEndpointBoundsSecretChecks: when every secret check slot is taken, a token
// request fails fast with 503 and Retry-After instead of queueing for CPU.
func TestTokenEndpointBoundsSecretChecks(t *testing.T) {
	checks := oauth.NewSecretChecks(1, 10*time.Millisecond)
	h := servertest.NewConfigured(t, store.SQLite, func(cfg *server.Config) { cfg.TokenSecretChecks = checks }, servertest.TokenFixture)
	request := servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm()}
	checks.Occupy() // a check under way
	rec := h.RequestToken(request)
	servertest.OAuthErr(t, rec, http.StatusServiceUnavailable, "temporarily_unavailable")
	if rec.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", rec.Header().Get("Retry-After"))
	}
	checks.Release()
	issuedToken(t, h.RequestToken(request))
	if checks.InUse() != 0 {
		t.Error("the token request kept its secret check slot")
	}
}

// TestTokenEndpointRefusesSecretsLongerThanBcryptReads: bcrypt reads 72 bytes, so a
// presented secret longer than that would match a 72-byte secret by its prefix. It is
// refused, and counts as a failed authentication of its address, like a wrong secret.
func TestTokenEndpointRefusesSecretsLongerThanBcryptReads(t *testing.T) {
	secret := strings.Repeat("0123456789abcdef", 4) + "01234567"
	if len(secret) != 72 {
		t.Fatalf("secret of %d bytes, want 72", len(secret))
	}
	fixture := "clients:\n  - {clientId: long-secret, name: Long secret, type: API, secret: " + secret + "}\n"
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
			cfg.TokenRateLimit = server.RateLimit{PerSecond: 0.001, Burst: 1} // nothing refills while the test runs
		}, servertest.TokenFixture, fixture)
		issuedToken(t, h.RequestToken(servertest.TokenRequest{ClientID: "long-secret", Secret: secret, Form: servertest.ClientCredentialsForm(), From: "198.51.100.1:1000"}))

		servertest.OAuthErr(t, h.RequestToken(servertest.TokenRequest{ClientID: "long-secret", Secret: secret + "x", Form: servertest.ClientCredentialsForm(), From: "203.0.113.1:1000"}), 401, "invalid_client")
		servertest.OAuthErr(t, h.RequestToken(servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "long-secret", "client_secret", secret+"x"), From: "203.0.113.2:1000"}), 401, "invalid_client")
		// The refusals spent their addresses' failures: even crm-sync's own secret is not
		// checked from there now.
		tooManyTokenRequests(t, h.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm(), From: "203.0.113.1:1001"}))
		tooManyTokenRequests(t, h.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm(), From: "203.0.113.2:1001"}))
	})
}
