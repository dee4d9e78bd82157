package servertest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// Secrets of the token endpoint's clients in TokenFixture; the second needs
// form-urlencoding in HTTP Basic.
const (
	CRMSyncSecret    = "crm-sync-secret-0123456789"
	ReltioSyncSecret = "reltio:sync+secret%2F0123456789"
)

// TokenFixture gives two clients secrets, so that they may use POST /oauth/token.
const TokenFixture = `
clients:
  - {clientId: crm-sync, name: CRM sync, type: API, secret: ` + CRMSyncSecret + `}
  - {clientId: reltio-sync, name: Sync, type: API, reltioRoles: [ROLE_ADMIN_CUSTOMER_TestCustomer], secret: "` + ReltioSyncSecret + `"}
`

// TokenRequest is a POST /oauth/token with a form body and, when ClientID is set, HTTP
// Basic client authentication.
type TokenRequest struct {
	ClientID, Secret string
	Form             url.Values
	Headers          map[string]string
	// From is the peer's address, "192.0.2.1:1234" when empty.
	From string
}

// RequestToken sends tr into the stack and checks the response against the spec.
func (h *Harness) RequestToken(tr TokenRequest) *httptest.ResponseRecorder {
	h.T.Helper()
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(tr.Form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tr.ClientID != "" {
		req.SetBasicAuth(url.QueryEscape(tr.ClientID), url.QueryEscape(tr.Secret))
	}
	for k, v := range tr.Headers {
		req.Header.Set(k, v)
	}
	if tr.From != "" {
		req.RemoteAddr = tr.From
	}
	rec := httptest.NewRecorder()
	h.E.ServeHTTP(rec, req)
	CheckFollowsSpec(h.T, req, rec)
	return rec
}

// ClientCredentialsForm is a client-credentials grant's form with more name, value pairs.
func ClientCredentialsForm(pairs ...string) url.Values {
	form := url.Values{"grant_type": {"client_credentials"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Set(pairs[i], pairs[i+1])
	}
	return form
}
