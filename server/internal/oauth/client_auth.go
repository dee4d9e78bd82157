package oauth

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
)

// tokenRequestDetails is what the token endpoint needs beyond the generated request
// object: the HTTP Basic credentials, the parameters sent more than once, and where the
// request comes from.
type tokenRequestDetails struct {
	// basicPresent: the request carries an Authorization header; basicOK: it is
	// well-formed Basic, with clientID and secret.
	basicPresent, basicOK bool
	clientID, secret      string
	repeated              []string
	// remoteAddress is the caller's IP address, as Echo's IPExtractor finds it.
	remoteAddress string
}

func tokenRequestFrom(ctx context.Context) tokenRequestDetails {
	details, _ := ctx.Value(tokenRequestDetailsKey{}).(tokenRequestDetails)
	return details
}

type tokenRequestDetailsKey struct{}

// PassTokenRequestDetails is a strict middleware that hands the token endpoint its
// tokenRequestDetails through the request's context.
func PassTokenRequestDetails(f gen.StrictHandlerFunc, operationID string) gen.StrictHandlerFunc {
	if operationID != "IssueToken" {
		return f
	}
	return func(c echo.Context, request any) (any, error) {
		r := c.Request()
		details := tokenRequestDetails{basicPresent: r.Header.Get("Authorization") != "", remoteAddress: c.RealIP()}
		if user, password, ok := r.BasicAuth(); ok {
			// RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
			clientID, errID := url.QueryUnescape(user)
			secret, errSecret := url.QueryUnescape(password)
			details.clientID, details.secret, details.basicOK = clientID, secret, errID == nil && errSecret == nil
		}
		form, _ := c.FormParams() // already parsed by the generated handler
		for name, values := range form {
			if len(values) > 1 {
				details.repeated = append(details.repeated, name)
			}
		}
		slices.Sort(details.repeated)
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), tokenRequestDetailsKey{}, details)))
		return f(c, request)
	}
}

// clientCredentials finds the client's id and secret: in the Basic header or in the body,
// never both (RFC 6749 §2.3); and refuses repeated parameters (RFC 6749 §3.2).
func clientCredentials(ctx context.Context, form *gen.TokenRequest) (clientID, secret string, failure *oauthError) {
	details := tokenRequestFrom(ctx)
	inBody := nonEmpty(form.ClientId) || nonEmpty(form.ClientSecret)
	switch {
	case len(details.repeated) > 0:
		return "", "", newOAuthError(oauthInvalidRequest, "Parameters sent more than once: "+strings.Join(details.repeated, ", ")+".")
	case details.basicPresent && inBody:
		return "", "", newOAuthError(oauthInvalidRequest, "Use one client authentication method: HTTP Basic or client_id and client_secret in the body, not both.")
	case details.basicPresent && !details.basicOK:
		return "", "", newOAuthError(oauthInvalidClient, "The Authorization header is not HTTP Basic client authentication.")
	case details.basicPresent:
		return details.clientID, details.secret, nil
	case !nonEmpty(form.ClientId) || !nonEmpty(form.ClientSecret):
		return "", "", newOAuthError(oauthInvalidClient, "Client authentication is required: HTTP Basic, or client_id and client_secret.")
	}
	return *form.ClientId, *form.ClientSecret, nil
}

// nonEmpty: RFC 6749 §3.2 treats a parameter sent without a value as omitted.
func nonEmpty(s *string) bool { return s != nil && *s != "" }
