package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/golang-jwt/jwt/v5"
)

// PrincipalKind tells a user (delegated access) from a client application and from a
// signed-in customer (eGain's oAuthCustomer actor).
type PrincipalKind string

const (
	PrincipalUser     PrincipalKind = "user"
	PrincipalClient   PrincipalKind = "client"
	PrincipalCustomer PrincipalKind = "customer"
)

// tokenLeeway is the clock skew allowed between this service and token issuers.
const tokenLeeway = 30 * time.Second

// TokenIssuer is the name written into, and required in, the built-in tokens.
const TokenIssuer = "custaccess"

// Claims are what a bearer token says about its holder.
type Claims struct {
	// Kind says whether the subject is a user login, a client id or a customer id.
	Kind  PrincipalKind `json:"principal_type"`
	Scope string        `json:"scope"`
	// AuthorizedParty is the client a user acted through (an identity provider's azp
	// claim); empty for the built-in tokens and for clients' own tokens.
	AuthorizedParty string `json:"azp,omitempty"`
	jwt.RegisteredClaims
}

// Scopes splits the space-separated scope claim (RFC 8693 §4.2).
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// Tokens signs and verifies the built-in HS256 tokens.
type Tokens struct {
	secret []byte
	now    func() time.Time
	// options are the parser's checks; their clock is t.now at the time of each check.
	options []jwt.ParserOption
	// validator checks a verified token's claims against the clock again (verified).
	validator *jwt.Validator
	// verified holds the claims of tokens verified before, by the token's text: a client
	// sends one token with every request until it expires, and decoding and verifying it
	// again was about 5 % of a request's CPU (issue 12's profiles). What a token's
	// verification found depends on its text and the secret alone, but for its times: a
	// token met again is checked against the clock again (validator). Tokens refused are
	// never kept. Bounded by maxVerifiedTokens: when full it is emptied.
	verified      sync.Map // string → *Claims
	verifiedCount atomic.Int64
}

// maxVerifiedTokens bounds the verified tokens a Tokens remembers.
const maxVerifiedTokens = 4096

// NewTokens uses secret as the HS256 key; it must be at least 32 bytes.
func NewTokens(secret []byte) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("token secret must be at least 32 bytes")
	}
	t := &Tokens{secret: secret, now: time.Now}
	t.options = []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(TokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(tokenLeeway),
		jwt.WithTimeFunc(func() time.Time { return t.now() }),
	}
	t.validator = jwt.NewValidator(t.options...)
	return t, nil
}

// SetClock makes t issue and check tokens by now instead of the system clock, so that
// tests can place a token's times exactly; call it before t is in use.
func (t *Tokens) SetClock(now func() time.Time) { t.now = now }

// Issue signs a token for subject, valid for ttl.
func (t *Tokens) Issue(kind PrincipalKind, subject string, scopes []string, ttl time.Duration) (string, error) {
	now := t.now()
	claims := Claims{
		Kind:  kind,
		Scope: strings.Join(scopes, " "),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    TokenIssuer,
			Subject:   subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
}

// Parse verifies a token's signature, algorithm, issuer and expiry, that it names a
// subject of a known kind, has no crit header, and that its claims are text
// (checkClaimsText). A token verified before is only checked against the clock again.
// The claims are the caller's own.
func (t *Tokens) Parse(raw string) (*Claims, error) {
	if known, ok := t.verified.Load(raw); ok {
		claims := *known.(*Claims)
		if err := t.validator.Validate(&claims); err != nil {
			return nil, fmt.Errorf("%w: %w", jwt.ErrTokenInvalidClaims, err) // as the parser says it
		}
		return &claims, nil
	}
	claims, err := t.verify(raw)
	if err != nil {
		return nil, err
	}
	if t.verifiedCount.Add(1) > maxVerifiedTokens {
		t.verified.Clear()
		t.verifiedCount.Store(1)
	}
	kept := *claims
	t.verified.Store(raw, &kept)
	return claims, nil
}

// verify decodes and verifies a token met for the first time (Parse).
func (t *Tokens) verify(raw string) (*Claims, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(raw, &claims, func(token *jwt.Token) (any, error) {
		if err := refuseCriticalHeader(token); err != nil {
			return nil, err
		}
		return t.secret, nil
	}, t.options...)
	if err != nil {
		return nil, err
	}
	if claims.Subject == "" {
		return nil, errors.New("token has no subject")
	}
	if claims.Kind != PrincipalUser && claims.Kind != PrincipalClient && claims.Kind != PrincipalCustomer {
		return nil, fmt.Errorf("token's principal_type %s is neither user, client nor customer", untrusted.Quote(string(claims.Kind)))
	}
	if err := checkClaimsText(raw, &claims); err != nil {
		return nil, err
	}
	return &claims, nil
}
