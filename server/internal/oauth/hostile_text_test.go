package oauth_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// TestTokenEndpointRefusesInvalidTextAsFailedAuthentication: client credentials that are
// not text (invalid UTF-8, NUL, other control characters), in the body or in HTTP Basic,
// never reach the database (PostgreSQL would refuse them with a 500): they are a failed
// client authentication, 401 invalid_client, and spend the address's failures like a wrong
// secret does.
func TestTokenEndpointRefusesInvalidTextAsFailedAuthentication(t *testing.T) {
	cases := []struct {
		name    string
		request func(from string) servertest.TokenRequest
	}{
		{"client_id with invalid UTF-8", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "\xff", "client_secret", "secret"), From: from}
		}},
		{"client_id with NUL", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "crm\x00sync", "client_secret", "secret"), From: from}
		}},
		{"client_id with a control character", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "crm\x01sync", "client_secret", "secret"), From: from}
		}},
		{"client_secret with invalid UTF-8", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{Form: servertest.ClientCredentialsForm("client_id", "crm-sync", "client_secret", "\xc0\xaf"), From: from}
		}},
		{"Basic user with invalid UTF-8, form-urlencoded", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{ClientID: "\xff", Secret: "secret", Form: servertest.ClientCredentialsForm(), From: from}
		}},
		{"Basic user with NUL, form-urlencoded", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{ClientID: "\x00", Secret: "secret", Form: servertest.ClientCredentialsForm(), From: from}
		}},
		{"Basic user with invalid UTF-8, raw", func(from string) servertest.TokenRequest {
			return servertest.TokenRequest{Form: servertest.ClientCredentialsForm(), From: from,
				Headers: map[string]string{"Authorization": "Basic " + base64Std("\xed\xa0\x80:secret")}}
		}},
	}
	twoHeaders := func(from string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(servertest.ClientCredentialsForm().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Add("Authorization", "Basic "+base64Std("crm-sync:"+servertest.CRMSyncSecret))
		req.Header.Add("Authorization", "Basic "+base64Std("other:secret"))
		req.RemoteAddr = from
		return req
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		// Nothing refills while the test runs: one failure per address.
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
			cfg.TokenRateLimit = server.RateLimit{PerSecond: 0.001, Burst: 1}
		}, servertest.TokenFixture)
		for i, tc := range cases {
			from := "203.0.113." + string(rune('1'+i)) + ":1000"
			t.Run(tc.name, func(t *testing.T) {
				servertest.OAuthErr(t, h.RequestToken(tc.request(from)), 401, "invalid_client")
				// The refusal spent the address's failure: even crm-sync's own secret is
				// not checked from there now, and invalid text again is refused the same.
				tooManyTokenRequests(t, h.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm(), From: from}))
				tooManyTokenRequests(t, h.RequestToken(tc.request(from)))
			})
		}
		// Two Authorization headers, even one with good credentials: neither is used, and
		// the refusal counts as a failed authentication of the address.
		t.Run("two Authorization headers", func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.E.ServeHTTP(rec, twoHeaders("198.51.100.9:1000"))
			servertest.OAuthErr(t, rec, 401, "invalid_client")
			rec = httptest.NewRecorder()
			h.E.ServeHTTP(rec, twoHeaders("198.51.100.9:1000"))
			tooManyTokenRequests(t, rec)
		})
	})
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
