package auth_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// loggedIdentityProviderHarness is a harness accepting provider's tokens besides the
// built-in ones, its log written as JSON to the buffer it returns.
func loggedIdentityProviderHarness(t *testing.T, dialect store.Dialect, provider *auth.IdentityProvider) (*servertest.Harness, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
		cfg.IdentityProvider = provider
		cfg.Logger = servertest.JSONLogger(&logs)
	})
	return h, &logs
}

func TestIdentityProviderTokens(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.IdentityProvider = idp.Config() })

		// An RS256 user token and an ES256 client token; built-in tokens still work.
		if rec := h.Do(servertest.Get(idp.Sign("rsa-1", auth.ValidClaims("agent", "core.customermgr.read")), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("RS256 user token: %d %s", rec.Code, rec.Body)
		}
		clientClaims := auth.ValidClaims("crm-sync", "app.core.customermgr.read")
		clientClaims["principal_type"] = "client"
		if rec := h.Do(servertest.Get(idp.Sign("ec-1", clientClaims), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("ES256 client token: %d %s", rec.Code, rec.Body)
		}
		if rec := h.Do(servertest.Get(h.UserToken("agent"), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("built-in token beside the provider: %d", rec.Code)
		}
		// The scopes of the provider's token decide, as for built-in tokens.
		servertest.WSError(t, h.Do(servertest.Post(idp.Sign("rsa-1", auth.ValidClaims("agent", "core.customermgr.read")), servertest.GrantBody("1000", "1002"))), 403, "403-105")
		if got := idp.Fetches(); got != 1 {
			t.Errorf("%d key set fetches for known keys, want 1 (cached)", got)
		}

		// Rotation: the provider replaces rsa-1 by rsa-2. The new kid is fetched; the
		// withdrawn one is refused once the set is fetched again.
		idp.Publish("rsa-2", "ec-1")
		if rec := h.Do(servertest.Get(idp.Sign("rsa-2", auth.ValidClaims("agent", "core.customermgr.read")), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("token of the new key: %d %s", rec.Code, rec.Body)
		}
		if got := idp.Fetches(); got != 2 {
			t.Errorf("%d fetches after a rotation, want 2", got)
		}
		servertest.WSError(t, h.Do(servertest.Get(idp.Sign("rsa-1", auth.ValidClaims("agent", "core.customermgr.read")), servertest.GrantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderRefusals: each bad token is refused with 401-101, and for the reason
// the test names (the request's log line carries the verifier's reason), so that a check
// removed cannot hide behind another that happens to refuse the same token.
func TestIdentityProviderRefusals(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		h, logs := loggedIdentityProviderHarness(t, dialect, idp.Config())
		modified := func(change func(jwt.MapClaims)) jwt.MapClaims {
			claims := auth.ValidClaims("agent", "core.customermgr.read")
			change(claims)
			return claims
		}
		rsaPublic, _ := x509.MarshalPKIXPublicKey(auth.TestRSAKeys()[0].Public())
		publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPublic})
		withHeader := func(method jwt.SigningMethod, key any, header map[string]any) string {
			token := jwt.NewWithClaims(method, auth.ValidClaims("agent", "core.customermgr.read"))
			for k, v := range header {
				token.Header[k] = v
			}
			signed, err := token.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return signed
		}

		for name, tc := range map[string]struct{ token, reason string }{
			"wrong issuer":     {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { c["iss"] = "https://evil.example.test" })), "token has invalid issuer"},
			"wrong audience":   {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { c["aud"] = "other-api" })), "token has invalid audience"},
			"no audience":      {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { delete(c, "aud") })), "aud claim is required"},
			"expired":          {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })), "token is expired"},
			"no expiry":        {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { delete(c, "exp") })), "token is missing required claim: exp claim is required"},
			"issued in future": {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })), "token used before issued"},
			"no subject":       {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { delete(c, "sub") })), "token has no sub claim"},
			"unknown kind":     {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { c["principal_type"] = "robot" })), `claim principal_type "robot" names neither a user, a client nor a customer`},
			"unknown user":     {idp.Sign("rsa-1", modified(func(c jwt.MapClaims) { c["sub"] = "mallory" })), "401-101"}, // refused by the handler, which finds no such user
			"unpublished key":  {idp.Sign("rsa-2", auth.ValidClaims("agent", "core.customermgr.read")), auth.ErrUnknownKey.Error()},
			// The provider's verifier refuses "none" by its algorithm list...
			"alg none": {withHeader(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, map[string]any{"kid": "rsa-1"}), "signing method none is invalid"},
			// ...and HS* tokens go to the built-in verifier, whose secret is not the public key.
			"HS256 keyed with the public key": {withHeader(jwt.SigningMethodHS256, publicPEM, map[string]any{"kid": "rsa-1"}), "token signature is invalid: signature is invalid"},
			"HS256 keyed with the raw key":    {withHeader(jwt.SigningMethodHS256, rsaPublic, map[string]any{"kid": "rsa-1"}), "token signature is invalid: signature is invalid"},
			"RS256 without kid":               {withHeader(jwt.SigningMethodRS256, auth.TestRSAKeys()[0], nil), "token has no kid"},
			"crit header":                     {withHeader(jwt.SigningMethodRS256, auth.TestRSAKeys()[0], map[string]any{"kid": "rsa-1", "crit": []string{"exp"}}), "token has a crit header"},
			"ES256 claiming the RSA kid":      {withHeader(jwt.SigningMethodES256, auth.TestECKey(), map[string]any{"kid": "rsa-1"}), "key is of invalid type"},
		} {
			t.Run(name, func(t *testing.T) {
				logs.Reset()
				servertest.WSError(t, h.Do(servertest.Get(tc.token, servertest.GrantsPath("1000"))), 401, "401-101")
				lines := servertest.LinesWithMessage(servertest.LogLines(t, logs), "request")
				if len(lines) != 1 {
					t.Fatalf("%d request lines", len(lines))
				}
				if reason, _ := lines[0]["reason"].(string); !strings.Contains(reason, tc.reason) {
					t.Errorf("refused because %q, want %q", reason, tc.reason)
				}
			})
		}
		// Without a provider, the provider's tokens are refused.
		plain := servertest.New(t, dialect)
		servertest.WSError(t, plain.Do(servertest.Get(idp.Sign("rsa-1", auth.ValidClaims("agent", "core.customermgr.read")), servertest.GrantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderClaimNames maps another provider's claims: the login in
// preferred_username, clients marked by gty, users by anything else, scopes as an array.
func TestIdentityProviderClaimNames(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		provider := idp.Config()
		provider.SubjectClaim, provider.KindClaim, provider.UserKind, provider.ClientKind, provider.ScopeClaim =
			"preferred_username", "gty", auth.AnyKind, "client-credentials", "scp"
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.IdentityProvider = provider })
		claims := func(login, kind string, scopes ...string) jwt.MapClaims {
			c := auth.ValidClaims("2d5c-opaque-id")
			delete(c, "principal_type")
			delete(c, "scope")
			c["preferred_username"], c["scp"] = login, scopes
			if kind != "" {
				c["gty"] = kind
			}
			return c
		}
		if rec := h.Do(servertest.Get(idp.Sign("rsa-1", claims("agent", "", "core.customermgr.read")), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("user: %d %s", rec.Code, rec.Body)
		}
		if rec := h.Do(servertest.Get(idp.Sign("ec-1", claims("crm-sync", "client-credentials", "app.core.customermgr.read")), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("client: %d %s", rec.Code, rec.Body)
		}
		servertest.WSError(t, h.Do(servertest.Get(idp.Sign("rsa-1", claims("agent", "")), servertest.GrantsPath("1000"))), 403, "403-105")
		if rec := h.Do(servertest.Get(idp.Sign("rsa-1", claims("agent", "password", "core.customermgr.read")), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("user with another gty: %d %s", rec.Code, rec.Body)
		}
		// A client id as a user: the kind decides where the subject is looked up.
		servertest.WSError(t, h.Do(servertest.Get(idp.Sign("rsa-1", claims("crm-sync", "", "core.customermgr.read")), servertest.GrantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderKeycloakShape maps tokens shaped as the README's Keycloak set-up
// makes them: users by an attribute the administrators set, client-credentials tokens
// (whose preferred_username is the service account) by azp, only tokens of type at+jwt.
func TestIdentityProviderKeycloakShape(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		provider := idp.Config()
		provider.SubjectClaim, provider.ClientSubjectClaim, provider.KindClaim = "custaccess_login", "azp", "token_kind"
		provider.UserKind, provider.ClientKind, provider.TokenType = auth.AnyKind, "client", "at+jwt"
		h, logs := loggedIdentityProviderHarness(t, dialect, provider)
		user := auth.ValidClaims("0c6d8f6e-uuid-of-the-user", "core.customermgr.read")
		delete(user, "principal_type")
		user["custaccess_login"], user["preferred_username"], user["azp"] = "agent", "renamed-agent", "web-portal"
		client := auth.ValidClaims("1f2e-uuid-of-the-service-account", "app.core.customermgr.read")
		delete(client, "principal_type")
		client["token_kind"], client["preferred_username"], client["azp"] = "client", "service-account-crm-sync", "crm-sync"
		signed := func(claims jwt.MapClaims, typ string) string {
			token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
			token.Header["kid"], token.Header["typ"] = "rsa-1", typ
			s, err := token.SignedString(auth.TestRSAKeys()[0])
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		for _, tc := range []struct {
			name   string
			token  string
			status int
		}{
			{"user", signed(user, "at+jwt"), http.StatusNoContent},
			{"client", signed(client, "at+jwt"), http.StatusNoContent},
			{"typ with application/, in capitals", signed(client, "application/AT+JWT"), http.StatusNoContent},
			{"an ID token (typ JWT)", signed(user, "JWT"), http.StatusUnauthorized},
			{"no typ", signed(user, ""), http.StatusUnauthorized},
		} {
			logs.Reset()
			rec := h.Do(servertest.Get(tc.token, servertest.GrantsPath("1000")))
			if rec.Code != tc.status {
				t.Errorf("%s: %d %s, want %d; log %s", tc.name, rec.Code, rec.Body, tc.status, logs.String())
			}
		}
		if !strings.Contains(logs.String(), `token type \"\", want \"at+jwt\"`) {
			t.Errorf("the refusal does not name the token type: %s", logs.String())
		}
		// Without azp, a client token has no client id, whatever its other claims say.
		delete(client, "azp")
		servertest.WSError(t, h.Do(servertest.Get(signed(client, "at+jwt"), servertest.GrantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderCustomers maps the provider's tokens of the configured customer kind
// onto signed-in customers (oAuthCustomer), their id read from the configured claim: they
// read their own grants and nothing else; without a customer kind no token is a customer's.
func TestIdentityProviderCustomers(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		customer := func(id string) jwt.MapClaims {
			c := auth.ValidClaims("a3f1-opaque-id", "core.customermgr.read")
			c["principal_type"], c["customer_id"] = "end-customer", id
			return c
		}
		provider := idp.Config()
		provider.CustomerKind, provider.CustomerSubjectClaim = "end-customer", "customer_id"
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.IdentityProvider = provider })
		if rec := h.Do(servertest.Get(idp.Sign("rsa-1", customer("3000")), servertest.OwnGrantsPath)); rec.Code != http.StatusNoContent {
			t.Errorf("customer 3000: %d %s", rec.Code, rec.Body)
		}
		servertest.WSError(t, h.Do(servertest.Get(idp.Sign("rsa-1", customer("3000")), servertest.GrantsPath("3000"))), 403, "403-105")
		// A customer the seed does not let sign in, and a token without the customer claim.
		servertest.WSError(t, h.Do(servertest.Get(idp.Sign("rsa-1", customer("1000")), servertest.OwnGrantsPath)), 401, "401-101")
		noClaim := customer("3000")
		delete(noClaim, "customer_id")
		servertest.WSError(t, h.Do(servertest.Get(idp.Sign("rsa-1", noClaim), servertest.OwnGrantsPath)), 401, "401-101")
		// Users are still users.
		if rec := h.Do(servertest.Get(idp.Sign("rsa-1", auth.ValidClaims("agent", "core.customermgr.read")), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("user: %d %s", rec.Code, rec.Body)
		}

		// Without a customer kind the same token names no principal at all.
		plain := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.IdentityProvider = idp.Config() })
		servertest.WSError(t, plain.Do(servertest.Get(idp.Sign("rsa-1", customer("3000")), servertest.OwnGrantsPath)), 401, "401-101")
		// A kind claim of "customer" is not a customer's unless configured either.
		asCustomer := customer("3000")
		asCustomer["principal_type"] = "customer"
		servertest.WSError(t, plain.Do(servertest.Get(idp.Sign("rsa-1", asCustomer), servertest.OwnGrantsPath)), 401, "401-101")
	})
}

func TestIdentityProviderConfiguration(t *testing.T) {
	for _, p := range []auth.IdentityProvider{
		{Issuer: auth.TestIssuer, Audience: auth.TestAudience},
		{JWKSURL: "http://127.0.0.1/jwks", Audience: auth.TestAudience},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: auth.TestIssuer},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: auth.TestIssuer, Audience: auth.TestAudience, UserKind: "x", ClientKind: "x"},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: auth.TestIssuer, Audience: auth.TestAudience, UserKind: auth.AnyKind, ClientKind: auth.AnyKind},
		// Customers need a kind of their own.
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: auth.TestIssuer, Audience: auth.TestAudience, CustomerKind: "user"},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: auth.TestIssuer, Audience: auth.TestAudience, CustomerKind: "client"},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: auth.TestIssuer, Audience: auth.TestAudience, CustomerKind: auth.AnyKind},
	} {
		if _, err := server.New(server.Config{IdentityProvider: &p}); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
