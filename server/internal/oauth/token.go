package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// clientCredentialsGrant is the one grant_type served.
const clientCredentialsGrant = "client_credentials"

// defaultTokenTTL is the lifetime of tokens from POST /oauth/token when none is configured.
const defaultTokenTTL = time.Hour

// TokenEndpoint serves POST /oauth/token: the client-credentials grant (RFC 6749 §4.4) for
// client applications registered with a secret.
type TokenEndpoint struct {
	store  *store.Store
	tokens *auth.Tokens
	ttl    time.Duration
	limits *tokenEndpointLimits
}

// IssueToken authenticates the client, checks the grant and scope, and signs a token.
func (o *TokenEndpoint) IssueToken(ctx context.Context, request gen.IssueTokenRequestObject) (gen.IssueTokenResponseObject, error) {
	form := request.Body
	clientID, secret, failure := clientCredentials(ctx, form)
	if failure != nil {
		return failure, nil
	}
	// The limits apply before the (deliberately slow) secret check.
	address := tokenRequestFrom(ctx).remoteAddress
	if retryAfter, ok := o.limits.perClientAddress.Allow(clientID + " " + address); !ok {
		return nil, httpapi.TooManyRequests(retryAfter)
	}
	if retryAfter, empty := o.limits.failuresPerAddress.Exhausted(address); empty {
		return nil, httpapi.TooManyRequests(retryAfter)
	}
	var client *store.Client
	err := o.store.View(ctx, func(tx *store.Tx) (err error) {
		client, err = tx.ClientByClientID(clientID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !o.limits.secretChecks.acquire(ctx) {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err() // the client went away
		}
		return newOAuthError(oauthUnavailable, "Too many token requests at once; retry in a second.").retryAfter(1), nil
	}
	matches := store.ClientSecretMatches(client, secret)
	o.limits.secretChecks.release()
	if !matches {
		o.limits.failuresPerAddress.Take(address)
		return newOAuthError(oauthInvalidClient, "Client authentication failed."), nil
	}
	httpapi.RecordOf(ctx).NotePrincipal(auth.PrincipalClient, clientID)

	if form.GrantType != clientCredentialsGrant {
		return newOAuthError(oauthUnsupportedGrantType, "Only the client_credentials grant is supported."), nil
	}
	available, err := httpapi.ScopesOffered(auth.PrincipalClient, client.Auditor)
	if err != nil {
		return nil, err
	}
	scopes := available
	if form.Scope != nil && strings.TrimSpace(*form.Scope) != "" {
		scopes = strings.Fields(*form.Scope)
		for _, scope := range scopes {
			if !slices.Contains(available, scope) {
				return newOAuthError(oauthInvalidScope, fmt.Sprintf("Scope %s is not one a client application can hold (%s).",
					scope, strings.Join(available, ", "))), nil
			}
		}
		slices.Sort(scopes)
		scopes = slices.Compact(scopes)
	}
	signed, err := o.tokens.Issue(auth.PrincipalClient, clientID, scopes, o.ttl)
	if err != nil {
		return nil, err
	}
	return gen.IssueToken200JSONResponse{
		Body: gen.TokenResponse{
			AccessToken: signed,
			TokenType:   gen.Bearer,
			ExpiresIn:   int32(o.ttl / time.Second),
			Scope:       strings.Join(scopes, " "),
		},
		Headers: gen.IssueToken200ResponseHeaders{CacheControl: "no-store", Pragma: "no-cache"},
	}, nil
}

// Config is what the token endpoint needs.
type Config struct {
	Store  *store.Store
	Tokens *auth.Tokens
	// TTL is the lifetime of the tokens issued; zero means an hour.
	TTL time.Duration
	// RateLimit bounds the requests of each client id from one address, and the failed
	// client authentications of each address; the zero value does not limit.
	RateLimit httpapi.RateLimit
	// SecretChecks bounds the secret checks running at once; nil means one per CPU, each
	// request waiting at most half a second for one.
	SecretChecks *SecretChecks
}

// New serves the token endpoint.
func New(cfg Config) *TokenEndpoint {
	if cfg.TTL <= 0 {
		cfg.TTL = defaultTokenTTL
	}
	return &TokenEndpoint{store: cfg.Store, tokens: cfg.Tokens, ttl: cfg.TTL, limits: newTokenEndpointLimits(cfg.RateLimit, cfg.SecretChecks)}
}
