package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// bearerTokens verifies every token the service accepts: the built-in HS256 tokens, and
// the identity provider's, told apart by their algorithm.
type bearerTokens struct {
	builtIn  *Tokens
	external *externalTokens // nil without an identity provider
}

func (b bearerTokens) verify(ctx context.Context, raw string) (*Claims, error) {
	if b.external != nil && !strings.HasPrefix(algorithmOf(raw), "HS") {
		return b.external.parse(ctx, raw)
	}
	// The built-in verifier accepts HS256 alone, so "none" or an RS256 token without a
	// provider are refused there.
	return b.builtIn.Parse(raw)
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

// authenticate reads the Authorization header. A missing or malformed header and a token
// that fails verification are told apart (401-104 and 401-101).
func (b bearerTokens) authenticate(r *http.Request) authentication {
	header := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return authentication{err: errNoBearerToken}
	}
	claims, err := b.verify(r.Context(), token)
	if err != nil {
		// The verifier's reason is logged, and may quote what the caller wrote.
		return authentication{err: fmt.Errorf("%w: %s", errBadToken, boundUntrusted(err.Error(), maxTokenRefusalLength))}
	}
	return authentication{claims: claims}
}
