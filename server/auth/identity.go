package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/golang-jwt/jwt/v5"
)

// IdentityProvider is an external OAuth2/OIDC provider whose RS256 and ES256 access tokens
// are accepted beside the built-in HS256 tokens. Its claims are mapped onto a principal:
// the subject claim names the user login or client id, the kind claim tells users from
// clients, the scope claim carries the scopes (a space-separated string or an array).
type IdentityProvider struct {
	// JWKSURL serves the provider's signing keys (RFC 7517).
	JWKSURL string
	// Issuer and Audience must equal the token's iss and be among its aud.
	Issuer   string
	Audience string
	// SubjectClaim names the claim holding the login or client id (default "sub");
	// ClientSubjectClaim, when set, the one holding the client id in clients' tokens, for
	// providers that name a client's service account in the subject claim.
	SubjectClaim       string
	ClientSubjectClaim string
	// KindClaim names the claim telling users from clients (default "principal_type");
	// UserKind and ClientKind are its values for each (defaults "user" and "client"). One
	// of them may be AnyKind: every token that is not of the other kind, the claim's
	// absence included.
	KindClaim  string
	UserKind   string
	ClientKind string
	// CustomerKind, when set, is the kind claim's value for signed-in customers (eGain's
	// oAuthCustomer actor); without it the provider's tokens are never customers'.
	// CustomerSubjectClaim names the claim holding the customer id in customers' tokens
	// (default SubjectClaim).
	CustomerKind         string
	CustomerSubjectClaim string
	// ScopeClaim names the claim holding the scopes (default "scope").
	ScopeClaim string
	// TokenType, when set, is the typ header every token must carry, such as "at+jwt"
	// (RFC 9068), so that the provider's ID tokens, signed by the same keys, are not taken
	// for access tokens.
	TokenType string
	// MinRefreshInterval is the least time between two fetches of the key set (default 30s).
	MinRefreshInterval time.Duration
}

// externalAlgorithms are the signing algorithms accepted from the provider: never HS*
// (whose key would be public) and never "none".
var externalAlgorithms = []string{jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg()}

// externalTokens verifies the provider's tokens.
type externalTokens struct {
	provider IdentityProvider
	keys     *jwksCache
	parser   *jwt.Parser
}

func newExternalTokens(p IdentityProvider, logger *slog.Logger) (*externalTokens, error) {
	if p.JWKSURL == "" || p.Issuer == "" || p.Audience == "" {
		return nil, errors.New("identity provider: the JWKS URL, issuer and audience are all required")
	}
	defaults := map[*string]string{
		&p.SubjectClaim: "sub", &p.KindClaim: "principal_type", &p.ScopeClaim: "scope",
		&p.UserKind: string(PrincipalUser), &p.ClientKind: string(PrincipalClient),
	}
	for field, value := range defaults {
		if *field == "" {
			*field = value
		}
	}
	if p.ClientSubjectClaim == "" {
		p.ClientSubjectClaim = p.SubjectClaim
	}
	if p.CustomerSubjectClaim == "" {
		p.CustomerSubjectClaim = p.SubjectClaim
	}
	if err := checkJWKSURL(p.JWKSURL); err != nil {
		return nil, err
	}
	if p.UserKind == p.ClientKind {
		return nil, fmt.Errorf("identity provider: users and clients must differ in claim %q", p.KindClaim)
	}
	if p.CustomerKind == AnyKind || (p.CustomerKind != "" && (p.CustomerKind == p.UserKind || p.CustomerKind == p.ClientKind)) {
		return nil, fmt.Errorf("identity provider: customers need a value of claim %q of their own, not %q", p.KindClaim, p.CustomerKind)
	}
	if p.MinRefreshInterval <= 0 {
		p.MinRefreshInterval = defaultJWKSMinRefresh
	}
	return &externalTokens{
		provider: p,
		keys:     &jwksCache{url: p.JWKSURL, client: newJWKSClient(), minRefresh: p.MinRefreshInterval, logger: logger, now: time.Now},
		parser: jwt.NewParser(
			jwt.WithValidMethods(externalAlgorithms),
			jwt.WithIssuer(p.Issuer),
			jwt.WithAudience(p.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(tokenLeeway),
		),
	}, nil
}

// parse verifies a token's signature with the provider's key named by its kid, and its
// algorithm, issuer, audience and times, then maps its claims onto a principal.
func (x *externalTokens) parse(ctx context.Context, raw string) (*Claims, error) {
	claims := jwt.MapClaims{}
	_, err := x.parser.ParseWithClaims(raw, claims, func(token *jwt.Token) (any, error) {
		if err := refuseCriticalHeader(token); err != nil {
			return nil, err
		}
		if typ, _ := token.Header["typ"].(string); x.provider.TokenType != "" && !sameMediaType(typ, x.provider.TokenType) {
			return nil, fmt.Errorf("token type %s, want %q", untrusted.Quote(typ), x.provider.TokenType)
		}
		kid, _ := token.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		// The key's type binds it to one algorithm: golang-jwt refuses an RSA key for
		// ES256 and an EC key for RS256.
		key, err := x.keys.key(ctx, kid)
		if err != nil {
			return nil, fmt.Errorf("key id %s: %w", untrusted.Quote(kid), err)
		}
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	kind, err := x.kindOf(claims)
	if err != nil {
		return nil, err
	}
	subjectClaim := x.provider.SubjectClaim
	switch kind {
	case PrincipalClient:
		subjectClaim = x.provider.ClientSubjectClaim
	case PrincipalCustomer:
		subjectClaim = x.provider.CustomerSubjectClaim
	}
	subject, _ := claims[subjectClaim].(string)
	if subject == "" {
		return nil, fmt.Errorf("token has no %s claim", subjectClaim)
	}
	scopes, err := scopesOf(claims[x.provider.ScopeClaim])
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", x.provider.ScopeClaim, err)
	}
	issuer, _ := claims.GetIssuer()
	expires, _ := claims.GetExpirationTime()
	principal := &Claims{
		Kind:             kind,
		Scope:            strings.Join(scopes, " "),
		RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: subject, ExpiresAt: expires},
	}
	if azp, _ := claims["azp"].(string); kind == PrincipalUser && azp != subject {
		principal.AuthorizedParty = azp
	}
	if err := checkClaimsText(raw, principal); err != nil {
		return nil, err
	}
	return principal, nil
}

// sameMediaType compares typ values as RFC 7515 §4.1.9 says: case-insensitively, with
// "application/" optional.
func sameMediaType(a, b string) bool {
	trim := func(s string) string { return strings.TrimPrefix(strings.ToLower(s), "application/") }
	return trim(a) == trim(b)
}

// AnyKind, as UserKind or ClientKind, matches every token not of the other kind.
const AnyKind = "*"

// kindOf reads the kind claim.
func (x *externalTokens) kindOf(claims jwt.MapClaims) (PrincipalKind, error) {
	value, present := claims[x.provider.KindClaim]
	kind, isString := value.(string)
	if present && !isString {
		return "", fmt.Errorf("claim %s is not a string", x.provider.KindClaim)
	}
	customer := x.provider.CustomerKind != "" && present && kind == x.provider.CustomerKind
	switch {
	case customer:
		return PrincipalCustomer, nil
	case present && kind == x.provider.UserKind, x.provider.UserKind == AnyKind && kind != x.provider.ClientKind:
		return PrincipalUser, nil
	case present && kind == x.provider.ClientKind, x.provider.ClientKind == AnyKind && kind != x.provider.UserKind:
		return PrincipalClient, nil
	}
	return "", fmt.Errorf("claim %s %s names neither a user, a client nor a customer", x.provider.KindClaim, untrusted.Quote(kind))
}

// scopesOf reads a scope claim: a space-separated string (RFC 8693 §4.2) or an array of
// strings, as some providers write it.
func scopesOf(value any) ([]string, error) {
	switch v := value.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.Fields(v), nil
	case []any:
		scopes := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, errors.New("an array entry is not a string")
			}
			scopes = append(scopes, s)
		}
		return scopes, nil
	}
	return nil, errors.New("neither a string nor an array of strings")
}
