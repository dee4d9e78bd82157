package server

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
	"net/http"
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
	// jwksFetchTimeout bounds one fetch, within the request's own deadline.
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

	fetching sync.Mutex // one fetch at a time; others wait for its result

	mu          sync.Mutex
	keys        map[string]crypto.PublicKey
	fetchedAt   time.Time
	lastAttempt time.Time
}

var errUnknownKey = errors.New("no key with this key id in the identity provider's key set")

// key returns the key with the key id, fetching the set when needed and allowed.
func (c *jwksCache) key(ctx context.Context, kid string) (crypto.PublicKey, error) {
	key, found, fresh := c.lookup(kid)
	if found && fresh {
		return key, nil
	}
	err := c.refresh(ctx)
	// Look again even when this caller did not fetch: another may just have. A failed
	// refresh keeps the keys known so far, so a provider that is briefly down does not
	// lock every caller out.
	if key, found, _ = c.lookup(kid); found {
		return key, nil
	}
	if err != nil && !errors.Is(err, errRefreshTooSoon) {
		return nil, err
	}
	return nil, errUnknownKey
}

func (c *jwksCache) lookup(kid string) (key crypto.PublicKey, found, fresh bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key, found = c.keys[kid]
	return key, found, c.now().Sub(c.fetchedAt) < jwksMaxAge
}

var errRefreshTooSoon = errors.New("the identity provider's key set was fetched moments ago")

// refresh fetches the key set unless the last attempt was less than minRefresh ago.
func (c *jwksCache) refresh(ctx context.Context) error {
	c.fetching.Lock()
	defer c.fetching.Unlock()
	c.mu.Lock()
	tooSoon := !c.lastAttempt.IsZero() && c.now().Sub(c.lastAttempt) < c.minRefresh
	if !tooSoon {
		c.lastAttempt = c.now()
	}
	c.mu.Unlock()
	if tooSoon {
		return errRefreshTooSoon
	}
	keys, err := c.fetch(ctx)
	if err != nil {
		c.logger.Warn("fetching the identity provider's key set failed", "jwks_url", c.url, "error", err.Error())
		return err
	}
	c.mu.Lock()
	c.keys, c.fetchedAt = keys, c.now()
	c.mu.Unlock()
	return nil
}

func (c *jwksCache) fetch(ctx context.Context) (map[string]crypto.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, jwksFetchTimeout)
	defer cancel()
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
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSSize)).Decode(&set); err != nil {
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
