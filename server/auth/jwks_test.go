package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
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
	// Old keys are still used, and refreshed in the background.
	*now = now.Add(jwksMaxAge)
	if _, err := x.parse(ctx, idp.sign("ec-1", validClaims("agent"))); err != nil {
		t.Errorf("old keys: %v", err)
	}
	waitForFetches(t, x.keys)
	if got := idp.fetches.Load(); got != 3 {
		t.Errorf("%d fetches, want a refresh of the old keys", got)
	}
}

// waitForFetches waits until no fetch of the key set is under way.
func waitForFetches(t *testing.T, c *jwksCache) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		c.mu.Lock()
		idle := c.fetching == nil
		c.mu.Unlock()
		if idle {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the key set fetch did not end")
		}
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
	waitForFetches(t, x.keys)
	if _, err := x.parse(ctx, idp.sign("rsa-2", validClaims("agent"))); err == nil {
		t.Error("unknown key accepted while the provider is down")
	}
}

// TestExternalTokensAlgorithmAllowList: the provider's verifier itself, called directly,
// accepts RS256 and ES256 only — refusing "none", HS256 keyed with the public key, and
// RSA algorithms other than RS256 even with the right key — by its allow-list.
func TestExternalTokensAlgorithmAllowList(t *testing.T) {
	idp := newTestIdentityProvider(t)
	x, _ := cacheOf(t, idp, time.Minute)
	rsaPublic, _ := x509.MarshalPKIXPublicKey(testRSAKeys()[0].Public())
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPublic})
	signed := func(method jwt.SigningMethod, key any) string {
		token := jwt.NewWithClaims(method, validClaims("agent"))
		token.Header["kid"] = "rsa-1"
		s, err := token.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		alg   string
		token string
	}{
		{"none", signed(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType)},
		{"HS256", signed(jwt.SigningMethodHS256, publicPEM)},
		{"HS256", signed(jwt.SigningMethodHS256, rsaPublic)},
		{"RS384", signed(jwt.SigningMethodRS384, testRSAKeys()[0])},
		{"PS256", signed(jwt.SigningMethodPS256, testRSAKeys()[0])},
	} {
		_, err := x.parse(context.Background(), tc.token)
		if want := "signing method " + tc.alg + " is invalid"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tc.alg, err, want)
		}
	}
	if _, err := x.parse(context.Background(), signed(jwt.SigningMethodRS256, testRSAKeys()[0])); err != nil {
		t.Errorf("RS256: %v", err)
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
		if _, err := cache.key(context.Background(), "any"); err == nil || err == ErrUnknownKey {
			t.Errorf("%s: %v, want the fetch's error", name, err)
		}
		server.Close()
	}
}

func TestJWKSURLMustBeHTTPS(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://sso.example.com/realms/acme/protocol/openid-connect/certs": true,
		"http://127.0.0.1:8080/jwks":                                        true,
		"http://localhost/jwks":                                             true,
		"http://[::1]:9000/jwks":                                            true,
		"http://sso.example.com/jwks":                                       false,
		"http://10.0.0.1/jwks":                                              false,
		"ftp://sso.example.com/jwks":                                        false,
		"sso.example.com/jwks":                                              false,
		"https:///jwks":                                                     false,
	} {
		_, err := newExternalTokens(IdentityProvider{JWKSURL: url, Issuer: testIssuer, Audience: testAudience}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if (err == nil) != ok {
			t.Errorf("%s: %v, want accepted %v", url, err, ok)
		}
	}
}

// jwksCacheFor is a key cache of the JWKS at url, with the client the service uses.
func jwksCacheFor(url string) *jwksCache {
	return &jwksCache{url: url, client: newJWKSClient(), minRefresh: time.Minute,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)), now: time.Now}
}

// TestJWKSFetchRefusesRedirectsAndHugeSets: the key set is read from the configured URL
// only, never from where it redirects, and only up to its size bound.
func TestJWKSFetchRefusesRedirectsAndHugeSets(t *testing.T) {
	idp := newTestIdentityProvider(t)
	redirect := httptest.NewServer(http.RedirectHandler(idp.server.URL, http.StatusFound))
	defer redirect.Close()
	if _, err := jwksCacheFor(redirect.URL).key(context.Background(), "rsa-1"); !errors.Is(err, errJWKSRedirect) {
		t.Errorf("redirected key set: %v, want the redirect refused", err)
	}
	if idp.fetches.Load() != 0 {
		t.Error("the redirect was followed")
	}

	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		key, _ := json.Marshal(publicJWK("rsa-1", testRSAKeys()[0].Public()))
		_, _ = fmt.Fprintf(w, `{"keys":[%s],"padding":"%s"}`, key, strings.Repeat("x", maxJWKSSize))
	}))
	defer huge.Close()
	if _, err := jwksCacheFor(huge.URL).key(context.Background(), "rsa-1"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("key set over the bound: %v, want it refused", err)
	}
}

// TestJWKSWaitFollowsTheCallersContext: while the provider is slow, a token with an unknown
// key id waits for the one fetch under way no longer than its own context allows, tokens
// with known keys do not wait at all, and all waiting callers share the one fetch.
func TestJWKSWaitFollowsTheCallersContext(t *testing.T) {
	idp := newTestIdentityProvider(t)
	release := make(chan struct{})
	var slow atomic.Bool
	var fetches atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if slow.Load() {
			<-release
		}
		idp.server.Config.Handler.ServeHTTP(w, r)
	}))
	defer server.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	cache := jwksCacheFor(server.URL)
	cache.minRefresh = time.Nanosecond
	ctx := context.Background()
	if _, err := cache.key(ctx, "rsa-1"); err != nil {
		t.Fatal(err)
	}

	slow.Store(true)
	idp.publish("rsa-1", "rsa-2", "ec-1")
	waiters := make(chan error, 5)
	for range cap(waiters) {
		go func() { _, err := cache.key(ctx, "rsa-2"); waiters <- err }()
	}
	for deadline := time.Now().Add(10 * time.Second); fetches.Load() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the fetch for the unknown key id did not start")
		}
	}
	// Each check runs beside the test, which gives up on it after a while: a caller stuck
	// behind the fetch must fail the test, not hang it.
	within := func(what string, call func() error) {
		t.Helper()
		result := make(chan error, 1)
		go func() { result <- call() }()
		select {
		case err := <-result:
			if err != nil {
				t.Errorf("%s: %v", what, err)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("%s: still waiting behind the fetch after 3s", what)
		}
	}
	within("a caller with a 50ms deadline", func() error {
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := cache.key(short, "rsa-2"); !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%v, want its deadline", err)
		}
		return nil
	})
	within("a known key during the fetch", func() error { _, err := cache.key(ctx, "rsa-1"); return err })

	close(release)
	for range cap(waiters) {
		if err := <-waiters; err != nil {
			t.Errorf("a caller waiting for the fetch: %v", err)
		}
	}
	if got := fetches.Load(); got != 2 {
		t.Errorf("%d fetches, want 2: the callers share one", got)
	}
}
