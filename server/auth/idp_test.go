package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
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

func (idp *testIdentityProvider) config() *IdentityProvider {
	return &IdentityProvider{JWKSURL: idp.server.URL, Issuer: testIssuer, Audience: testAudience, MinRefreshInterval: time.Nanosecond}
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
