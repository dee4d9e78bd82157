// Package auth verifies bearer tokens (the built-in HS256 tokens and an identity provider's
// RS256/ES256 tokens from its JWKS) and carries the resulting principal in a request's context.
package auth
