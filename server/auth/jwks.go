package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Bounds of the key set cache; tests shorten them.
const (
	// defaultJWKSMinRefresh is the least time between two fetches of the key set, so that
	// tokens with unknown key ids cannot make the service hammer the identity provider.
	defaultJWKSMinRefresh = 30 * time.Second
	// jwksMaxAge is how long fetched keys are used before the set is fetched again, so that
	// keys the provider withdraws stop being accepted.
	jwksMaxAge = time.Hour
	// jwksFetchTimeout bounds one fetch; a request waits for it within its own deadline.
	jwksFetchTimeout = 5 * time.Second
	// maxJWKSSize bounds the key set document.
	maxJWKSSize = 1 << 20
	// minRSABits refuses RSA keys too short to trust.
	minRSABits = 2048
)

// jwksCache holds an identity provider's signing keys (RFC 7517), fetched from its JWKS
// URL at first use, again when a token names an unknown key id or the keys are old, and
// never more often than minRefresh.
type jwksCache struct {
	url        string
	client     *http.Client
	minRefresh time.Duration
	logger     *slog.Logger
	now        func() time.Time

	mu          sync.Mutex
	keys        map[string]crypto.PublicKey
	fetchedAt   time.Time
	lastAttempt time.Time
	// fetching is the fetch under way, which every caller that needs the keys shares;
	// nil when none is.
	fetching *jwksFetch
}

// jwksFetch is one fetch of the key set; done is closed when err is set.
type jwksFetch struct {
	done chan struct{}
	err  error
}

var ErrUnknownKey = errors.New("no key with this key id in the identity provider's key set")

// key returns the key with the key id. Keys known are used at once; when they are old a
// refresh runs in the background. An unknown key id waits for a fetch, as long as the
// caller's context allows.
func (c *jwksCache) key(ctx context.Context, kid string) (crypto.PublicKey, error) {
	key, found, fresh := c.lookup(kid)
	if found {
		if !fresh {
			c.startFetch(ctx)
		}
		return key, nil
	}
	fetch := c.startFetch(ctx)
	if fetch == nil {
		return nil, ErrUnknownKey // fetched moments ago: the key id is not in the set
	}
	select {
	case <-fetch.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the identity provider's key set: %w", ctx.Err())
	}
	// A failed fetch keeps the keys known so far, so a provider that is briefly down
	// does not lock out every token.
	if key, found, _ = c.lookup(kid); found {
		return key, nil
	}
	if fetch.err != nil {
		return nil, fetch.err
	}
	return nil, ErrUnknownKey
}

func (c *jwksCache) lookup(kid string) (key crypto.PublicKey, found, fresh bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key, found = c.keys[kid]
	return key, found, c.now().Sub(c.fetchedAt) < jwksMaxAge
}

// startFetch returns the fetch under way, or starts one unless the last began less than
// minRefresh ago; then it returns nil. The fetch runs on its own, bounded by
// jwksFetchTimeout: a caller that gives up does not fail it for the others.
func (c *jwksCache) startFetch(ctx context.Context) *jwksFetch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fetching != nil {
		return c.fetching
	}
	now := c.now()
	if !c.lastAttempt.IsZero() && now.Sub(c.lastAttempt) < c.minRefresh {
		return nil
	}
	c.lastAttempt = now
	fetch := &jwksFetch{done: make(chan struct{})}
	c.fetching = fetch
	go c.run(context.WithoutCancel(ctx), fetch)
	return fetch
}

func (c *jwksCache) run(ctx context.Context, fetch *jwksFetch) {
	ctx, cancel := context.WithTimeout(ctx, jwksFetchTimeout)
	defer cancel()
	keys, err := c.fetch(ctx)
	if err != nil {
		c.logger.Warn("fetching the identity provider's key set failed", "jwks_url", c.url, "error", err.Error())
	}
	c.mu.Lock()
	if err == nil {
		c.keys, c.fetchedAt = keys, c.now()
	}
	c.fetching = nil
	c.mu.Unlock()
	fetch.err = err
	close(fetch.done)
}

var errJWKSRedirect = errors.New("the JWKS URL redirects: configure the URL it redirects to")

// newJWKSClient fetches key sets: no redirects, which could lead from the configured
// HTTPS origin elsewhere; each fetch bounded in time.
func newJWKSClient() *http.Client {
	return &http.Client{
		Timeout:       jwksFetchTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return errJWKSRedirect },
	}
}

// checkJWKSURL requires HTTPS, so that nobody on the way can substitute the keys; plain
// HTTP is allowed to a loopback host only (a sidecar, a test).
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("identity provider: JWKS URL %q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("identity provider: the JWKS URL must use https (http only to a loopback host), not %q", raw)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *jwksCache) fetch(ctx context.Context) (map[string]crypto.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch key set: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	if len(body) > maxJWKSSize {
		return nil, fmt.Errorf("read key set: larger than %d bytes", maxJWKSSize)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	keys := map[string]crypto.PublicKey{}
	for _, raw := range set.Keys {
		// Keys this service cannot use (encryption keys, other key types) are skipped.
		if kid, key, ok := parseJWK(raw); ok {
			keys[kid] = key
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("the key set holds no RSA or P-256 signing key with a key id")
	}
	return keys, nil
}

// jwk is the part of a JSON Web Key (RFC 7517, RFC 7518 §6) this service reads.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWK reads an RSA or P-256 signature key; ok is false for any other, and for keys
// the set restricts to another algorithm.
func parseJWK(raw json.RawMessage) (kid string, key crypto.PublicKey, ok bool) {
	var k jwk
	if json.Unmarshal(raw, &k) != nil || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
		return "", nil, false
	}
	switch {
	case k.Kty == "RSA" && (k.Alg == "" || k.Alg == "RS256"):
		n, errN := decodeBase64URLInt(k.N)
		e, errE := decodeBase64URLInt(k.E)
		if errN != nil || errE != nil || n.BitLen() < minRSABits || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
			return "", nil, false
		}
		return k.Kid, &rsa.PublicKey{N: n, E: int(e.Int64())}, true
	case k.Kty == "EC" && k.Crv == "P-256" && (k.Alg == "" || k.Alg == "ES256"):
		x, errX := base64.RawURLEncoding.DecodeString(k.X)
		y, errY := base64.RawURLEncoding.DecodeString(k.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return "", nil, false
		}
		// Parsing checks that the point is on the curve.
		ecKey, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return "", nil, false
		}
		return k.Kid, ecKey, true
	}
	return "", nil, false
}

func decodeBase64URLInt(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("bad base64url integer")
	}
	return new(big.Int).SetBytes(b), nil
}
