package server

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

const (
	testIssuer   = "https://idp.example.test/realms/custaccess"
	testAudience = "custaccess-api"
)

// Test keys are made once: RSA key generation is slow.
var (
	testRSAKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
		var keys [2]*rsa.PrivateKey
		for i := range keys {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = key
		}
		return keys
	})
	testECKey = sync.OnceValue(func() *ecdsa.PrivateKey {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return key
	})
)

// testIdentityProvider serves a JWKS on loopback, counts its fetches, and signs tokens.
type testIdentityProvider struct {
	t       *testing.T
	server  *httptest.Server
	fetches atomic.Int32

	mu        sync.Mutex
	published map[string]crypto.Signer // kid → key whose public part the JWKS lists
	signers   map[string]crypto.Signer // kid → key, published or not
}

func newTestIdentityProvider(t *testing.T) *testIdentityProvider {
	rsaKeys := testRSAKeys()
	idp := &testIdentityProvider{t: t, signers: map[string]crypto.Signer{
		"rsa-1": rsaKeys[0], "rsa-2": rsaKeys[1], "ec-1": testECKey(),
	}}
	idp.publish("rsa-1", "ec-1")
	idp.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		idp.fetches.Add(1)
		idp.mu.Lock()
		defer idp.mu.Unlock()
		var keys []map[string]string
		for kid, signer := range idp.published {
			keys = append(keys, publicJWK(kid, signer.Public()))
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	}))
	t.Cleanup(idp.server.Close)
	return idp
}

// publish replaces the key set with the named keys: a rotation.
func (idp *testIdentityProvider) publish(kids ...string) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.published = map[string]crypto.Signer{}
	for _, kid := range kids {
		idp.published[kid] = idp.signers[kid]
	}
}

func publicJWK(kid string, public crypto.PublicKey) map[string]string {
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	switch key := public.(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}
	case *ecdsa.PublicKey:
		point, _ := key.Bytes()
		return map[string]string{"kty": "EC", "kid": kid, "use": "sig", "crv": "P-256",
			"x": b64(point[1:33]), "y": b64(point[33:])}
	}
	panic("unsupported key")
}

func (idp *testIdentityProvider) config() *auth.IdentityProvider {
	return &auth.IdentityProvider{JWKSURL: idp.server.URL, Issuer: testIssuer, Audience: testAudience, MinRefreshInterval: time.Nanosecond}
}

// claims are valid claims of a user token; tests change them.
func validClaims(subject string, scopes ...string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": testIssuer, "aud": []string{testAudience, "other-api"}, "sub": subject,
		"principal_type": "user", "scope": strings.Join(scopes, " "),
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// sign signs claims with the key of kid, with the algorithm that suits the key.
func (idp *testIdentityProvider) sign(kid string, claims jwt.MapClaims) string {
	idp.t.Helper()
	signer := idp.signers[kid]
	method := jwt.SigningMethod(jwt.SigningMethodRS256)
	if _, ok := signer.(*ecdsa.PrivateKey); ok {
		method = jwt.SigningMethodES256
	}
	token := jwt.NewWithClaims(method, claims)
	token.Header["kid"] = kid
	signed, err := token.SignedString(signer)
	if err != nil {
		idp.t.Fatal(err)
	}
	return signed
}

// loggedIdentityProviderHarness is a harness accepting provider's tokens besides the
// built-in ones, its log written as JSON to the buffer it returns.
func loggedIdentityProviderHarness(t *testing.T, dialect store.Dialect, provider *auth.IdentityProvider) (*harness, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	h := newConfiguredHarness(t, dialect, func(cfg *Config) {
		cfg.IdentityProvider = provider
		cfg.Logger = jsonLogger(&logs)
	})
	return h, &logs
}

func TestIdentityProviderTokens(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := newTestIdentityProvider(t)
		h := newConfiguredHarness(t, dialect, func(cfg *Config) { cfg.IdentityProvider = idp.config() })

		// An RS256 user token and an ES256 client token; built-in tokens still work.
		if rec := h.do(get(idp.sign("rsa-1", validClaims("agent", "core.customermgr.read")), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("RS256 user token: %d %s", rec.Code, rec.Body)
		}
		clientClaims := validClaims("crm-sync", "app.core.customermgr.read")
		clientClaims["principal_type"] = "client"
		if rec := h.do(get(idp.sign("ec-1", clientClaims), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("ES256 client token: %d %s", rec.Code, rec.Body)
		}
		if rec := h.do(get(h.userToken("agent"), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("built-in token beside the provider: %d", rec.Code)
		}
		// The scopes of the provider's token decide, as for built-in tokens.
		wsError(t, h.do(post(idp.sign("rsa-1", validClaims("agent", "core.customermgr.read")), grantBody("1000", "1002"))), 403, "403-105")
		if got := idp.fetches.Load(); got != 1 {
			t.Errorf("%d key set fetches for known keys, want 1 (cached)", got)
		}

		// Rotation: the provider replaces rsa-1 by rsa-2. The new kid is fetched; the
		// withdrawn one is refused once the set is fetched again.
		idp.publish("rsa-2", "ec-1")
		if rec := h.do(get(idp.sign("rsa-2", validClaims("agent", "core.customermgr.read")), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Fatalf("token of the new key: %d %s", rec.Code, rec.Body)
		}
		if got := idp.fetches.Load(); got != 2 {
			t.Errorf("%d fetches after a rotation, want 2", got)
		}
		wsError(t, h.do(get(idp.sign("rsa-1", validClaims("agent", "core.customermgr.read")), grantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderRefusals: each bad token is refused with 401-101, and for the reason
// the test names (the request's log line carries the verifier's reason), so that a check
// removed cannot hide behind another that happens to refuse the same token.
func TestIdentityProviderRefusals(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := newTestIdentityProvider(t)
		h, logs := loggedIdentityProviderHarness(t, dialect, idp.config())
		modified := func(change func(jwt.MapClaims)) jwt.MapClaims {
			claims := validClaims("agent", "core.customermgr.read")
			change(claims)
			return claims
		}
		rsaPublic, _ := x509.MarshalPKIXPublicKey(testRSAKeys()[0].Public())
		publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPublic})
		withHeader := func(method jwt.SigningMethod, key any, header map[string]any) string {
			token := jwt.NewWithClaims(method, validClaims("agent", "core.customermgr.read"))
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
			"wrong issuer":     {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { c["iss"] = "https://evil.example.test" })), "token has invalid issuer"},
			"wrong audience":   {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { c["aud"] = "other-api" })), "token has invalid audience"},
			"no audience":      {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { delete(c, "aud") })), "aud claim is required"},
			"expired":          {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })), "token is expired"},
			"no expiry":        {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { delete(c, "exp") })), "token is missing required claim: exp claim is required"},
			"issued in future": {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })), "token used before issued"},
			"no subject":       {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { delete(c, "sub") })), "token has no sub claim"},
			"unknown kind":     {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { c["principal_type"] = "robot" })), `claim principal_type "robot" names neither a user nor a client`},
			"unknown user":     {idp.sign("rsa-1", modified(func(c jwt.MapClaims) { c["sub"] = "mallory" })), "401-101"}, // refused by the handler, which finds no such user
			"unpublished key":  {idp.sign("rsa-2", validClaims("agent", "core.customermgr.read")), auth.ErrUnknownKey.Error()},
			// The provider's verifier refuses "none" by its algorithm list...
			"alg none": {withHeader(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, map[string]any{"kid": "rsa-1"}), "signing method none is invalid"},
			// ...and HS* tokens go to the built-in verifier, whose secret is not the public key.
			"HS256 keyed with the public key": {withHeader(jwt.SigningMethodHS256, publicPEM, map[string]any{"kid": "rsa-1"}), "token signature is invalid: signature is invalid"},
			"HS256 keyed with the raw key":    {withHeader(jwt.SigningMethodHS256, rsaPublic, map[string]any{"kid": "rsa-1"}), "token signature is invalid: signature is invalid"},
			"RS256 without kid":               {withHeader(jwt.SigningMethodRS256, testRSAKeys()[0], nil), "token has no kid"},
			"ES256 claiming the RSA kid":      {withHeader(jwt.SigningMethodES256, testECKey(), map[string]any{"kid": "rsa-1"}), "key is of invalid type"},
		} {
			t.Run(name, func(t *testing.T) {
				logs.Reset()
				wsError(t, h.do(get(tc.token, grantsPath("1000"))), 401, "401-101")
				lines := linesWithMessage(logLines(t, logs), "request")
				if len(lines) != 1 {
					t.Fatalf("%d request lines", len(lines))
				}
				if reason, _ := lines[0]["reason"].(string); !strings.Contains(reason, tc.reason) {
					t.Errorf("refused because %q, want %q", reason, tc.reason)
				}
			})
		}
		// Without a provider, the provider's tokens are refused.
		plain := newHarness(t, dialect)
		wsError(t, plain.do(get(idp.sign("rsa-1", validClaims("agent", "core.customermgr.read")), grantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderClaimNames maps another provider's claims: the login in
// preferred_username, clients marked by gty, users by anything else, scopes as an array.
func TestIdentityProviderClaimNames(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := newTestIdentityProvider(t)
		provider := idp.config()
		provider.SubjectClaim, provider.KindClaim, provider.UserKind, provider.ClientKind, provider.ScopeClaim =
			"preferred_username", "gty", auth.AnyKind, "client-credentials", "scp"
		h := newConfiguredHarness(t, dialect, func(cfg *Config) { cfg.IdentityProvider = provider })
		claims := func(login, kind string, scopes ...string) jwt.MapClaims {
			c := validClaims("2d5c-opaque-id")
			delete(c, "principal_type")
			delete(c, "scope")
			c["preferred_username"], c["scp"] = login, scopes
			if kind != "" {
				c["gty"] = kind
			}
			return c
		}
		if rec := h.do(get(idp.sign("rsa-1", claims("agent", "", "core.customermgr.read")), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("user: %d %s", rec.Code, rec.Body)
		}
		if rec := h.do(get(idp.sign("ec-1", claims("crm-sync", "client-credentials", "app.core.customermgr.read")), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("client: %d %s", rec.Code, rec.Body)
		}
		wsError(t, h.do(get(idp.sign("rsa-1", claims("agent", "")), grantsPath("1000"))), 403, "403-105")
		if rec := h.do(get(idp.sign("rsa-1", claims("agent", "password", "core.customermgr.read")), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("user with another gty: %d %s", rec.Code, rec.Body)
		}
		// A client id as a user: the kind decides where the subject is looked up.
		wsError(t, h.do(get(idp.sign("rsa-1", claims("crm-sync", "", "core.customermgr.read")), grantsPath("1000"))), 401, "401-101")
	})
}

// TestIdentityProviderKeycloakShape maps tokens shaped as the README's Keycloak set-up
// makes them: users by an attribute the administrators set, client-credentials tokens
// (whose preferred_username is the service account) by azp, only tokens of type at+jwt.
func TestIdentityProviderKeycloakShape(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := newTestIdentityProvider(t)
		provider := idp.config()
		provider.SubjectClaim, provider.ClientSubjectClaim, provider.KindClaim = "custaccess_login", "azp", "token_kind"
		provider.UserKind, provider.ClientKind, provider.TokenType = auth.AnyKind, "client", "at+jwt"
		h, logs := loggedIdentityProviderHarness(t, dialect, provider)
		user := validClaims("0c6d8f6e-uuid-of-the-user", "core.customermgr.read")
		delete(user, "principal_type")
		user["custaccess_login"], user["preferred_username"], user["azp"] = "agent", "renamed-agent", "web-portal"
		client := validClaims("1f2e-uuid-of-the-service-account", "app.core.customermgr.read")
		delete(client, "principal_type")
		client["token_kind"], client["preferred_username"], client["azp"] = "client", "service-account-crm-sync", "crm-sync"
		signed := func(claims jwt.MapClaims, typ string) string {
			token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
			token.Header["kid"], token.Header["typ"] = "rsa-1", typ
			s, err := token.SignedString(testRSAKeys()[0])
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
			rec := h.do(get(tc.token, grantsPath("1000")))
			if rec.Code != tc.status {
				t.Errorf("%s: %d %s, want %d; log %s", tc.name, rec.Code, rec.Body, tc.status, logs.String())
			}
		}
		if !strings.Contains(logs.String(), `token type \"\", want \"at+jwt\"`) {
			t.Errorf("the refusal does not name the token type: %s", logs.String())
		}
		// Without azp, a client token has no client id, whatever its other claims say.
		delete(client, "azp")
		wsError(t, h.do(get(signed(client, "at+jwt"), grantsPath("1000"))), 401, "401-101")
	})
}

func TestIdentityProviderConfiguration(t *testing.T) {
	for _, p := range []auth.IdentityProvider{
		{Issuer: testIssuer, Audience: testAudience},
		{JWKSURL: "http://127.0.0.1/jwks", Audience: testAudience},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: testIssuer},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: testIssuer, Audience: testAudience, UserKind: "x", ClientKind: "x"},
		{JWKSURL: "http://127.0.0.1/jwks", Issuer: testIssuer, Audience: testAudience, UserKind: auth.AnyKind, ClientKind: auth.AnyKind},
	} {
		if _, err := New(Config{IdentityProvider: &p}); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
