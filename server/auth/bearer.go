package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// Why a request carries no principal; the pipeline turns them into statuses.
var (
	ErrNoBearerToken = errors.New("no bearer token")
	ErrBadToken      = errors.New("invalid or expired token")
)

// Verifier verifies every token the service accepts: the built-in HS256 tokens, and the
// identity provider's, told apart by their algorithm.
type Verifier struct {
	builtIn  *Tokens
	external *externalTokens // nil without an identity provider
}

// NewVerifier accepts builtIn's tokens and, when provider is not nil, the provider's.
func NewVerifier(builtIn *Tokens, provider *IdentityProvider, logger *slog.Logger) (*Verifier, error) {
	v := &Verifier{builtIn: builtIn}
	if provider != nil {
		external, err := newExternalTokens(*provider, logger)
		if err != nil {
			return nil, err
		}
		v.external = external
	}
	return v, nil
}

func (v *Verifier) verify(ctx context.Context, raw string) (*Claims, error) {
	if v.external != nil && !strings.HasPrefix(algorithmOf(raw), "HS") {
		return v.external.parse(ctx, raw)
	}
	// The built-in verifier accepts HS256 alone, so "none" or an RS256 token without a
	// provider are refused there.
	return v.builtIn.Parse(raw)
}

// algorithmOf reads the alg header of a token without verifying anything.
func algorithmOf(raw string) string {
	token, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		return ""
	}
	alg, _ := token.Header["alg"].(string)
	return alg
}

// Authentication is the outcome of reading a request's bearer token: the verified claims,
// or why there are none (ErrNoBearerToken, or an error wrapping ErrBadToken).
type Authentication struct {
	Claims *Claims
	Err    error
}

// Authenticate reads the Authorization header. A missing or malformed header and a token
// that fails verification are told apart.
func (v *Verifier) Authenticate(r *http.Request) Authentication {
	header := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return Authentication{Err: ErrNoBearerToken}
	}
	claims, err := v.verify(r.Context(), token)
	if err != nil {
		// The verifier's reason is logged, and may quote what the caller wrote.
		return Authentication{Err: fmt.Errorf("%w: %s", ErrBadToken, untrusted.Bound(err.Error(), untrusted.MaxTokenRefusalLength))}
	}
	return Authentication{Claims: claims}
}

type authenticationKey struct{}

// WithAuthentication keeps a request's authentication in its context, so that strict
// handlers, which see only the context, know the caller.
func WithAuthentication(ctx context.Context, a Authentication) context.Context {
	return context.WithValue(ctx, authenticationKey{}, a)
}

// AuthenticationOf returns what WithAuthentication put into ctx (the zero value if nothing).
func AuthenticationOf(ctx context.Context) Authentication {
	a, _ := ctx.Value(authenticationKey{}).(Authentication)
	return a
}

// PrincipalFrom returns the verified claims of the caller; validation has already refused
// requests without them.
func PrincipalFrom(ctx context.Context) *Claims {
	return AuthenticationOf(ctx).Claims
}
