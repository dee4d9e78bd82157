package server

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// cacheOf returns the key cache of an external verifier for idp, with a clock the test moves.
func cacheOf(t *testing.T, idp *testIdentityProvider, minRefresh time.Duration) (*externalTokens, *time.Time) {
	provider := idp.config()
	provider.MinRefreshInterval = minRefresh
	x, err := newExternalTokens(*provider, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	x.keys.now = func() time.Time { return now }
	return x, &now
}

// TestJWKSRefreshRateIsBounded: tokens naming unknown key ids, however many and however
// concurrent, fetch the key set at most once per interval; a rotation is picked up once
// the interval has passed.
func TestJWKSRefreshRateIsBounded(t *testing.T) {
	idp := newTestIdentityProvider(t)
	x, now := cacheOf(t, idp, time.Minute)
	ctx := context.Background()
	if _, err := x.parse(ctx, idp.sign("rsa-1", validClaims("agent"))); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			garbage := jwt.NewWithClaims(jwt.SigningMethodRS256, validClaims("agent"))
			garbage.Header["kid"] = fmt.Sprintf("garbage-%d", i)
			signed, _ := garbage.SignedString(testRSAKeys()[0])
			if _, err := x.parse(ctx, signed); err == nil {
				t.Error("a token with an unknown kid was accepted")
			}
		})
	}
	wg.Wait()
	if got := idp.fetches.Load(); got != 1 {
		t.Fatalf("%d fetches, want 1: unknown kids within the interval must not fetch", got)
	}

	idp.publish("rsa-1", "rsa-2", "ec-1")
	if _, err := x.parse(ctx, idp.sign("rsa-2", validClaims("agent"))); err == nil {
		t.Error("a key published within the interval was used before it may be fetched")
	}
	*now = now.Add(time.Minute)
	if _, err := x.parse(ctx, idp.sign("rsa-2", validClaims("agent"))); err != nil {
		t.Errorf("after the interval, the rotated key: %v", err)
	}
	if got := idp.fetches.Load(); got != 2 {
		t.Errorf("%d fetches, want 2", got)
	}
	// Known keys are used without fetching, until they are an hour old.
	if _, err := x.parse(ctx, idp.sign("ec-1", validClaims("agent"))); err != nil || idp.fetches.Load() != 2 {
		t.Errorf("known key: %v, %d fetches", err, idp.fetches.Load())
	}
	*now = now.Add(jwksMaxAge)
	if _, err := x.parse(ctx, idp.sign("ec-1", validClaims("agent"))); err != nil || idp.fetches.Load() != 3 {
		t.Errorf("old keys: %v, %d fetches, want a refresh", err, idp.fetches.Load())
	}
}

// TestJWKSOutageKeepsKnownKeys: while the provider fails, keys already fetched still verify.
func TestJWKSOutageKeepsKnownKeys(t *testing.T) {
	idp := newTestIdentityProvider(t)
	x, now := cacheOf(t, idp, time.Minute)
	ctx := context.Background()
	if _, err := x.parse(ctx, idp.sign("rsa-1", validClaims("agent"))); err != nil {
		t.Fatal(err)
	}
	idp.server.Close()
	*now = now.Add(2 * jwksMaxAge)
	if _, err := x.parse(ctx, idp.sign("rsa-1", validClaims("agent"))); err != nil {
		t.Errorf("known key while the provider is down: %v", err)
	}
	if _, err := x.parse(ctx, idp.sign("rsa-2", validClaims("agent"))); err == nil {
		t.Error("unknown key accepted while the provider is down")
	}
}

func TestExternalTokensRefuseSymmetricAlgorithms(t *testing.T) {
	idp := newTestIdentityProvider(t)
	x, _ := cacheOf(t, idp, time.Minute)
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims("agent"))
	token.Header["kid"] = "rsa-1"
	signed, _ := token.SignedString(testRSAKeys()[0].PublicKey.N.Bytes())
	if _, err := x.parse(context.Background(), signed); err == nil {
		t.Error("an HS256 token was accepted by the identity provider's verifier")
	}
}

func TestParseJWKSkipsUnusableKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	good := publicJWK("good", testRSAKeys()[0].Public())
	ec := publicJWK("ec", testECKey().Public())
	with := func(base map[string]string, key, value string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		out[key] = value
		return out
	}
	offCurve := with(ec, "y", base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
	for name, key := range map[string]map[string]string{
		"RSA of 1024 bits": publicJWK("small", small.Public()),
		"encryption key":   with(good, "use", "enc"),
		"other algorithm":  with(good, "alg", "PS256"),
		"no kid":           with(good, "kid", ""),
		"P-384":            with(ec, "crv", "P-384"),
		"point off curve":  offCurve,
		"symmetric":        {"kty": "oct", "kid": "k", "k": "c2VjcmV0"},
	} {
		raw, _ := json.Marshal(key)
		if _, _, ok := parseJWK(raw); ok {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, key := range []map[string]string{good, ec} {
		raw, _ := json.Marshal(key)
		if _, _, ok := parseJWK(raw); !ok {
			t.Errorf("%s: refused", key["kid"])
		}
	}
}

func TestJWKSFetchFailures(t *testing.T) {
	for name, handler := range map[string]http.HandlerFunc{
		"status 500":     func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) },
		"not JSON":       func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"no usable keys": func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"keys":[{"kty":"oct"}]}`)) },
	} {
		server := httptest.NewServer(handler)
		cache := &jwksCache{url: server.URL, client: server.Client(), minRefresh: time.Minute,
			logger: slog.New(slog.NewTextHandler(io.Discard, nil)), now: time.Now}
		if _, err := cache.key(context.Background(), "any"); err == nil || err == errUnknownKey {
			t.Errorf("%s: %v, want the fetch's error", name, err)
		}
		server.Close()
	}
}
