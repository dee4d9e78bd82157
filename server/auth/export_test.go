package auth

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// Test-only exports of the identity provider helpers (idp_test.go), for the tests of
// package auth_test, which drive them through the whole stack.

// The issuer and audience of the test provider's tokens.
const (
	TestIssuer   = testIssuer
	TestAudience = testAudience
)

// TestIdentityProvider serves a JWKS on loopback, counts its fetches, and signs tokens.
type TestIdentityProvider = testIdentityProvider

// NewTestIdentityProvider starts a provider publishing rsa-1 and ec-1, which also holds rsa-2.
func NewTestIdentityProvider(t *testing.T) *TestIdentityProvider { return newTestIdentityProvider(t) }

// Publish replaces the key set with the named keys: a rotation.
func (idp *testIdentityProvider) Publish(kids ...string) { idp.publish(kids...) }

// Sign signs claims with the key of kid, with the algorithm that suits the key.
func (idp *testIdentityProvider) Sign(kid string, claims jwt.MapClaims) string {
	idp.t.Helper()
	return idp.sign(kid, claims)
}

// Config is the service's configuration of the provider.
func (idp *testIdentityProvider) Config() *IdentityProvider { return idp.config() }

// Fetches is how many times the key set was fetched.
func (idp *testIdentityProvider) Fetches() int32 { return idp.fetches.Load() }

// ValidClaims are valid claims of a user token; tests change them.
func ValidClaims(subject string, scopes ...string) jwt.MapClaims {
	return validClaims(subject, scopes...)
}

// TestRSAKeys and TestECKey are the provider's keys: rsa-1 and rsa-2, and ec-1.
var (
	TestRSAKeys = testRSAKeys
	TestECKey   = testECKey
)

// VerifiedTokensForTests counts the verified tokens t remembers.
func VerifiedTokensForTests(t *Tokens) int {
	n := 0
	t.verified.Range(func(any, any) bool { n++; return true })
	return n
}

// MaxVerifiedTokens bounds the verified tokens a Tokens remembers.
const MaxVerifiedTokens = maxVerifiedTokens
