package audit

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
)

// problem is an RFC 9457 problem details response (type about:blank: the status says it).
type problem struct {
	status int
	detail string
}

func newProblem(status int, detail string) *problem { return &problem{status: status, detail: detail} }

func (p *problem) Error() string     { return p.detail }
func (p *problem) HTTPStatus() int   { return p.status }
func (p *problem) ErrorCode() string { return http.StatusText(p.status) }

func (p *problem) WriteResponse(w http.ResponseWriter, _ *http.Request) error {
	if p.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="custaccess"`)
	}
	detail := p.detail
	return httpapi.WriteJSON(w, p.status, "application/problem+json",
		gen.Problem{Type: "about:blank", Title: http.StatusText(p.status), Status: p.status, Detail: &detail}, true)
}

// Family renders the pipeline's problems on /audit/ paths as problem details.
type Family struct{}

func (Family) PathPrefix() string { return "/audit/" }

type ndjsonKey struct{}

// Prepare negotiates the response's format before validation, with the pipeline's Accept
// parser: NDJSON when Accept rates it above JSON, or as high and names it.
func (Family) Prepare(c echo.Context) {
	r := c.Request()
	accept := strings.Join(r.Header.Values("Accept"), ", ")
	c.SetRequest(r.WithContext(context.WithValue(r.Context(), ndjsonKey{}, wantsNDJSON(accept))))
}

func (Family) FromProblem(_ *http.Request, p *httpapi.Problem) httpapi.VendorError {
	switch p.Kind {
	case httpapi.NoRoute:
		return newProblem(http.StatusNotFound, "No resource at "+p.Subject+".")
	case httpapi.MethodNotAllowed:
		return newProblem(http.StatusMethodNotAllowed, "Method "+p.Reason+" is not allowed on "+p.Subject+".")
	case httpapi.UnknownQueryParameters:
		return newProblem(http.StatusBadRequest, "Unknown query parameter(s): "+p.Subject+".")
	case httpapi.InvalidParameter:
		return newProblem(http.StatusBadRequest, "Parameter "+p.Subject+": "+p.Reason+".")
	case httpapi.BodyNotAllowed:
		return newProblem(http.StatusBadRequest, "This operation takes no body.")
	case httpapi.BodyTooLarge:
		return newProblem(http.StatusRequestEntityTooLarge, "The body is larger than "+p.Subject+".")
	case httpapi.BodyRequired, httpapi.BodyMalformed, httpapi.InvalidBodyAttribute, httpapi.UnsupportedMediaType:
		return newProblem(http.StatusBadRequest, "The request is malformed: "+p.Error()+".")
	case httpapi.NotAcceptable:
		return newProblem(http.StatusNotAcceptable, "The Accept header admits none of application/json, application/x-ndjson.")
	case httpapi.MissingToken:
		return newProblem(http.StatusUnauthorized, "A bearer token is required.")
	case httpapi.InvalidToken:
		return newProblem(http.StatusUnauthorized, "The bearer token is not valid.")
	case httpapi.NotPermitted:
		return newProblem(http.StatusForbidden, "The token is not accepted here: "+p.Reason+".")
	case httpapi.RateLimited:
		return newProblem(http.StatusTooManyRequests, "Too many requests; retry after "+p.Subject+" second(s).")
	case httpapi.Unavailable:
		return newProblem(http.StatusServiceUnavailable, "The database could not answer in time.")
	}
	return newProblem(http.StatusInternalServerError, "The service failed unexpectedly.")
}
