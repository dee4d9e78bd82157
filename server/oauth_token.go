package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// clientCredentialsGrant is the one grant_type served.
const clientCredentialsGrant = "client_credentials"

// defaultTokenTTL is the lifetime of tokens from POST /oauth/token when none is configured.
const defaultTokenTTL = time.Hour

// oauthTokens serves POST /oauth/token: the client-credentials grant (RFC 6749 §4.4) for
// client applications registered with a secret.
type oauthTokens struct {
	store   *store.Store
	tokens  *Tokens
	ttl     time.Duration
	limiter *rateLimiter
}

// IssueToken authenticates the client, checks the grant and scope, and signs a token.
func (o *oauthTokens) IssueToken(ctx context.Context, request gen.IssueTokenRequestObject) (gen.IssueTokenResponseObject, error) {
	form := request.Body
	clientID, secret, failure := clientCredentials(ctx, form)
	if failure != nil {
		return failure, nil
	}
	// Limited by the client id claimed, before the (deliberately slow) secret check.
	if retryAfter, ok := o.limiter.allow(string(PrincipalClient) + ":" + clientID); !ok {
		return nil, rateLimited(retryAfter)
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
	if !store.ClientSecretMatches(client, secret) {
		return newOAuthError(oauthInvalidClient, "Client authentication failed."), nil
	}
	recordOf(ctx).notePrincipal(PrincipalClient, clientID)

	if form.GrantType != clientCredentialsGrant {
		return newOAuthError(oauthUnsupportedGrantType, "Only the client_credentials grant is supported."), nil
	}
	available, err := ScopesFor(PrincipalClient)
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
	signed, err := o.tokens.Issue(PrincipalClient, clientID, scopes, o.ttl)
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

// tokenRequestDetails is what the token endpoint needs beyond the generated request
// object: the HTTP Basic credentials, and the parameters sent more than once.
type tokenRequestDetails struct {
	// basicPresent: the request carries an Authorization header; basicOK: it is
	// well-formed Basic, with clientID and secret.
	basicPresent, basicOK bool
	clientID, secret      string
	repeated              []string
}

type tokenRequestDetailsKey struct{}

// passTokenRequestDetails is a strict middleware that hands the token endpoint its
// tokenRequestDetails through the request's context.
func passTokenRequestDetails(f gen.StrictHandlerFunc, operationID string) gen.StrictHandlerFunc {
	if operationID != "IssueToken" {
		return f
	}
	return func(c echo.Context, request any) (any, error) {
		r := c.Request()
		details := tokenRequestDetails{basicPresent: r.Header.Get("Authorization") != ""}
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
	details, _ := ctx.Value(tokenRequestDetailsKey{}).(tokenRequestDetails)
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

// oauthCode is an RFC 6749 error code with its HTTP status.
type oauthCode struct {
	error  string
	status int
}

var (
	oauthInvalidRequest       = oauthCode{"invalid_request", http.StatusBadRequest}
	oauthInvalidClient        = oauthCode{"invalid_client", http.StatusUnauthorized}
	oauthUnsupportedGrantType = oauthCode{"unsupported_grant_type", http.StatusBadRequest}
	oauthInvalidScope         = oauthCode{"invalid_scope", http.StatusBadRequest}
	oauthSlowDown             = oauthCode{"slow_down", http.StatusTooManyRequests}
	oauthServerError          = oauthCode{"server_error", http.StatusInternalServerError}
	oauthUnavailable          = oauthCode{"temporarily_unavailable", http.StatusServiceUnavailable}
)

// oauthError is an RFC 6749 §5.2 error response; it is both a vendor error and the token
// endpoint's typed failure.
type oauthError struct {
	code        oauthCode
	status      int
	description string
}

func newOAuthError(code oauthCode, description string) *oauthError {
	return &oauthError{code: code, status: code.status, description: oauthText(description)}
}

// withStatus keeps the error code but answers with another HTTP status, for failures of
// HTTP itself (no route, method, size) that RFC 6749 has no code for.
func (e *oauthError) withStatus(status int) *oauthError {
	e.status = status
	return e
}

// oauthText keeps to the characters RFC 6749 §5.2 allows in error_description.
func oauthText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, s)
}

func (e *oauthError) Error() string        { return e.code.error + ": " + e.description }
func (e *oauthError) httpStatus() int      { return e.status }
func (e *oauthError) errorCode() string    { return e.code.error }
func (e *oauthError) failure() vendorError { return e }

func (e *oauthError) writeResponse(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="custaccess"`)
	}
	return writeJSON(w, e.status, gen.OAuthError{Error: gen.OAuthErrorError(e.code.error), ErrorDescription: &e.description})
}

func (e *oauthError) VisitIssueTokenResponse(w http.ResponseWriter) error {
	return e.writeResponse(w, nil)
}

// writeJSON writes body as the JSON response with status.
func writeJSON(w http.ResponseWriter, status int, body any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// oauthFamily renders request problems at the token endpoint as RFC 6749 errors.
type oauthFamily struct{}

func (oauthFamily) fromProblem(p *requestProblem) vendorError {
	switch p.kind {
	case problemNoRoute:
		return newOAuthError(oauthInvalidRequest, "No resource at "+p.subject+".").withStatus(http.StatusNotFound)
	case problemMethodNotAllowed:
		return newOAuthError(oauthInvalidRequest, "The token endpoint takes POST, not "+p.reason+".").withStatus(http.StatusMethodNotAllowed)
	case problemNotAcceptable:
		return newOAuthError(oauthInvalidRequest, "The Accept header admits no application/json.").withStatus(http.StatusNotAcceptable)
	case problemBodyTooLarge:
		return newOAuthError(oauthInvalidRequest, "The request body is larger than "+p.subject+".").withStatus(http.StatusRequestEntityTooLarge)
	case problemInvalidBodyAttribute:
		return newOAuthError(oauthInvalidRequest, "Invalid parameter "+p.subject+": "+p.reason+".")
	case problemUnknownQueryParameters, problemInvalidParameter, problemBodyRequired, problemBodyMalformed,
		problemBodyNotAllowed, problemUnsupportedMediaType:
		return newOAuthError(oauthInvalidRequest, "The request is not a valid token request: "+p.Error()+
			"; send grant_type=client_credentials as application/x-www-form-urlencoded.")
	case problemMissingToken, problemInvalidToken, problemNotPermitted:
		return newOAuthError(oauthInvalidClient, "Client authentication failed.")
	case problemRateLimited:
		return newOAuthError(oauthSlowDown, "Too many requests; retry after "+p.subject+" second(s).")
	case problemUnavailable:
		return newOAuthError(oauthUnavailable, "The database did not answer in time. Retry later.")
	}
	return newOAuthError(oauthServerError, "The request could not be processed.")
}
