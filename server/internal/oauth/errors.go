package oauth

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
)

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
	// Over a rate limit: RFC 6749 has no code of its own for it (slow_down is RFC 8628's,
	// for device polling), and generic clients retry on temporarily_unavailable, with
	// 429 and Retry-After for HTTP-level retry logic.
	oauthTooManyRequests = oauthCode{"temporarily_unavailable", http.StatusTooManyRequests}
	oauthServerError     = oauthCode{"server_error", http.StatusInternalServerError}
	oauthUnavailable     = oauthCode{"temporarily_unavailable", http.StatusServiceUnavailable}
)

// oauthError is an RFC 6749 §5.2 error response; it is both a vendor error and the token
// endpoint's typed failure.
type oauthError struct {
	code        oauthCode
	status      int
	description string
	// retryAfterSeconds, when set, is answered in Retry-After.
	retryAfterSeconds int
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

// retryAfter asks the client to wait that many seconds before trying again.
func (e *oauthError) retryAfter(seconds int) *oauthError {
	e.retryAfterSeconds = seconds
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

func (e *oauthError) Error() string                { return e.code.error + ": " + e.description }
func (e *oauthError) HTTPStatus() int              { return e.status }
func (e *oauthError) ErrorCode() string            { return e.code.error }
func (e *oauthError) Failure() httpapi.VendorError { return e }

func (e *oauthError) WriteResponse(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="custaccess"`)
	}
	if e.retryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfterSeconds))
	}
	return httpapi.WriteJSON(w, e.status, "application/json", gen.OAuthError{Error: gen.OAuthErrorError(e.code.error), ErrorDescription: &e.description}, true)
}

func (e *oauthError) VisitIssueTokenResponse(w http.ResponseWriter) error {
	return e.WriteResponse(w, nil)
}

// Family renders request problems at the token endpoint as RFC 6749 errors. Text the
// text rule refuses (a client id that is not UTF-8, say) is a failed client
// authentication: it is counted against the caller's address like a wrong secret, and an
// address out of failures is refused before it is counted again.
type Family struct {
	limits *tokenEndpointLimits // nil: nothing is counted
}

// Family is the token endpoint's family, counting against the endpoint's limits.
func (o *TokenEndpoint) Family() Family { return Family{limits: o.limits} }

// RefuseText counts a text refusal as a failed client authentication of the address.
func (f Family) RefuseText(c echo.Context, _ *httpapi.Problem) error {
	if f.limits == nil {
		return nil
	}
	address := c.RealIP()
	if retryAfter, empty := f.limits.failuresPerAddress.Exhausted(address); empty {
		return httpapi.TooManyRequests(retryAfter)
	}
	f.limits.failuresPerAddress.Take(address)
	return nil
}

// PathPrefix: the token endpoint, within Reltio's /oauth/ paths; its errors are RFC 6749's.
func (Family) PathPrefix() string { return "/oauth/token" }

func (Family) FromProblem(_ *http.Request, p *httpapi.Problem) httpapi.VendorError {
	if httpapi.IsTextRefusal(p) {
		return newOAuthError(oauthInvalidClient, "Client authentication failed.")
	}
	switch p.Kind {
	case httpapi.NoRoute:
		return newOAuthError(oauthInvalidRequest, "No resource at "+p.Subject+".").withStatus(http.StatusNotFound)
	case httpapi.MethodNotAllowed:
		return newOAuthError(oauthInvalidRequest, "The token endpoint takes POST, not "+p.Reason+".").withStatus(http.StatusMethodNotAllowed)
	case httpapi.NotAcceptable:
		return newOAuthError(oauthInvalidRequest, "The Accept header admits no application/json.").withStatus(http.StatusNotAcceptable)
	case httpapi.BodyTooLarge:
		return newOAuthError(oauthInvalidRequest, "The request body is larger than "+p.Subject+".").withStatus(http.StatusRequestEntityTooLarge)
	case httpapi.InvalidBodyAttribute:
		return newOAuthError(oauthInvalidRequest, "Invalid parameter "+p.Subject+": "+p.Reason+".")
	case httpapi.UnknownQueryParameters, httpapi.InvalidParameter, httpapi.BodyRequired, httpapi.BodyMalformed,
		httpapi.BodyNotAllowed, httpapi.UnsupportedMediaType:
		return newOAuthError(oauthInvalidRequest, "The request is not a valid token request: "+p.Error()+
			"; send grant_type=client_credentials as application/x-www-form-urlencoded.")
	case httpapi.MissingToken, httpapi.InvalidToken, httpapi.NotPermitted:
		return newOAuthError(oauthInvalidClient, "Client authentication failed.")
	case httpapi.RateLimited:
		return newOAuthError(oauthTooManyRequests, "Too many requests; retry after "+p.Subject+" second(s).")
	case httpapi.Unavailable:
		return newOAuthError(oauthUnavailable, "The database did not answer in time. Retry later.")
	}
	return newOAuthError(oauthServerError, "The request could not be processed.")
}
