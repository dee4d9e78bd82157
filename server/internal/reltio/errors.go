package reltio

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
)

// reltioCode is one entry of the Reltio error catalogue: the stable errorCode, its HTTP
// status, the errorMessage and a template for errorDetailMessage.
type reltioCode struct {
	code    int
	status  int
	message string
	detail  string
}

// The Reltio error catalogue, documented in the spec's ReltioError schema.
var (
	reltioInvalidBodyAttribute   = reltioCode{40001, http.StatusBadRequest, "Invalid request body", "Invalid value for '%s': %s."}
	reltioInvalidBodyValue       = reltioCode{40001, http.StatusBadRequest, "Invalid request body", "Invalid value '%s' for '%s': %s."}
	reltioBodyMalformed          = reltioCode{40002, http.StatusBadRequest, "Malformed request body", "The request body is not valid JSON: %s."}
	reltioBodyRequired           = reltioCode{40003, http.StatusBadRequest, "Request body is required", "The request has no body."}
	reltioUnknownQueryParameters = reltioCode{40004, http.StatusBadRequest, "Unsupported query parameter", "Unsupported query parameter(s): %s."}
	reltioInvalidParameter       = reltioCode{40005, http.StatusBadRequest, "Invalid parameter", "Invalid value for parameter '%s': %s."}
	reltioBodyNotAllowed         = reltioCode{40006, http.StatusBadRequest, "Request body is not allowed", "This operation takes no request body."}
	reltioUnknownService         = reltioCode{40010, http.StatusBadRequest, "Unknown service", "Service '%s' (role '%s') is not in the catalog."}
	reltioUnknownResource        = reltioCode{40011, http.StatusBadRequest, "Unknown resource", "Service '%s' has no resource '%s' (role '%s')."}
	reltioPrivilegeNotAllowed    = reltioCode{40012, http.StatusBadRequest, "Privilege not allowed for resource", "Privilege '%s' is not allowed for resource '%s' of service '%s' (role '%s'; allowed: %s)."}
	reltioSystemRoleName         = reltioCode{40013, http.StatusBadRequest, "System role name", "Role name(s) %s belong to system roles or are reserved (ROLE_ADMIN…) and cannot be used for customer-specific roles."}
	reltioRoleNameMismatch       = reltioCode{40014, http.StatusBadRequest, "Role name mismatch", "The body's roleName '%s' differs from the path's '%s'."}
	reltioSystemRoleReadOnly     = reltioCode{40015, http.StatusBadRequest, "System role", "Role '%s' is a system role: its permissions are catalogue data, and only customer-specific roles can be changed or removed."}
	reltioMissingToken           = reltioCode{40101, http.StatusUnauthorized, "Full authentication is required to access this resource", "The request carries no bearer token."}
	reltioInvalidToken           = reltioCode{40102, http.StatusUnauthorized, "Invalid access token", "The bearer token is invalid or expired, or its principal no longer exists."}
	reltioAccessDenied           = reltioCode{40301, http.StatusForbidden, "Access is denied", "%s"}
	reltioPrivilegeNotHeld       = reltioCode{40302, http.StatusForbidden, "Privilege not held", "The caller does not hold privilege '%s' on resource '%s' of service '%s' within customer '%s', so it may not assign it (role '%s')."}
	reltioUnknownCustomer        = reltioCode{40401, http.StatusNotFound, "Customer not found", "Customer '%s' does not exist."}
	reltioUnknownRole            = reltioCode{40402, http.StatusNotFound, "Role not found", "Role(s) %s do not exist for customer '%s'."}
	reltioUnknownSystemRole      = reltioCode{40404, http.StatusNotFound, "Role not found", "System role '%s' does not exist."}
	reltioNoSuchResource         = reltioCode{40403, http.StatusNotFound, "Resource not found", "No resource at '%s'."}
	reltioMethodNotAllowed       = reltioCode{40501, http.StatusMethodNotAllowed, "Method not allowed", "Method '%s' is not allowed on '%s'."}
	reltioNotAcceptable          = reltioCode{40601, http.StatusNotAcceptable, "Not acceptable", "The Accept header '%s' admits no application/json."}
	reltioBodyTooLarge           = reltioCode{41301, http.StatusRequestEntityTooLarge, "Request body too large", "The request body is larger than %s."}
	reltioUnsupportedMediaType   = reltioCode{41501, http.StatusUnsupportedMediaType, "Unsupported media type", "Content type '%s' is not supported; use application/json."}
	reltioTooManyRequests        = reltioCode{42901, http.StatusTooManyRequests, "Too many requests", "Rate limit exceeded; retry after %s second(s)."}
	reltioSystem                 = reltioCode{50001, http.StatusInternalServerError, "Internal server error", "The request could not be processed."}
	reltioUnavailable            = reltioCode{50301, http.StatusServiceUnavailable, "Service unavailable", "The database did not answer in time. Retry later."}
)

// reltioError is a Reltio error about to be written.
type reltioError struct {
	code reltioCode
	args []any
}

func newReltioError(code reltioCode, args ...any) *reltioError {
	return &reltioError{code: code, args: args}
}

func (e *reltioError) Error() string     { return fmt.Sprint(e.code.code, " ", e.detail()) }
func (e *reltioError) HTTPStatus() int   { return e.code.status }
func (e *reltioError) ErrorCode() string { return fmt.Sprint(e.code.code) }

func (e *reltioError) detail() string { return httpapi.Render(e.code.detail, e.args) }

func (e *reltioError) body() gen.ReltioError {
	detail := e.detail()
	return gen.ReltioError{
		Severity:           gen.Error,
		ErrorMessage:       e.code.message,
		ErrorCode:          int32(e.code.code),
		ErrorDetailMessage: &detail,
	}
}

func (e *reltioError) WriteResponse(w http.ResponseWriter, _ *http.Request) error {
	return httpapi.WriteJSON(w, e.code.status, "application/json", e.body(), true)
}

// quoteNames lists names for a message: 'A', 'B'.
func quoteNames(names []string) string {
	return "'" + strings.Join(names, "', '") + "'"
}

// Family renders request problems in Reltio's error shape.
type Family struct{}

func (Family) PathPrefix() string { return "/oauth/" }

func (Family) FromProblem(_ *http.Request, p *httpapi.Problem) httpapi.VendorError {
	switch p.Kind {
	case httpapi.NoRoute:
		return newReltioError(reltioNoSuchResource, p.Subject)
	case httpapi.MethodNotAllowed:
		return newReltioError(reltioMethodNotAllowed, p.Reason, p.Subject)
	case httpapi.UnknownQueryParameters:
		return newReltioError(reltioUnknownQueryParameters, quoteNames(p.Names))
	case httpapi.InvalidParameter:
		return newReltioError(reltioInvalidParameter, p.Subject, p.Reason)
	case httpapi.InvalidBodyAttribute:
		if p.Value != "" {
			return newReltioError(reltioInvalidBodyValue, p.Value, p.Subject, p.Reason)
		}
		return newReltioError(reltioInvalidBodyAttribute, p.Subject, p.Reason)
	case httpapi.BodyRequired:
		return newReltioError(reltioBodyRequired)
	case httpapi.BodyMalformed:
		return newReltioError(reltioBodyMalformed, p.Reason)
	case httpapi.BodyNotAllowed:
		return newReltioError(reltioBodyNotAllowed)
	case httpapi.BodyTooLarge:
		return newReltioError(reltioBodyTooLarge, p.Subject)
	case httpapi.UnsupportedMediaType:
		return newReltioError(reltioUnsupportedMediaType, p.Subject)
	case httpapi.NotAcceptable:
		return newReltioError(reltioNotAcceptable, p.Subject)
	case httpapi.MissingToken:
		return newReltioError(reltioMissingToken)
	case httpapi.InvalidToken:
		return newReltioError(reltioInvalidToken)
	case httpapi.NotPermitted:
		return newReltioError(reltioAccessDenied, "The token is not accepted here: "+p.Reason+".")
	case httpapi.RateLimited:
		return newReltioError(reltioTooManyRequests, p.Subject)
	case httpapi.Unavailable:
		return newReltioError(reltioUnavailable)
	}
	return newReltioError(reltioSystem)
}

// reltioFailure is the strict-handler response for an expected failure of a Reltio operation.
type reltioFailure struct{ err *reltioError }

func (f reltioFailure) write(w http.ResponseWriter) error { return f.err.WriteResponse(w, nil) }

func (f reltioFailure) Failure() httpapi.VendorError { return f.err }

func (f reltioFailure) VisitAssignRolePermissionsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitReplaceRolePermissionsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitListRolePermissionsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitAddCustomerRolesResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitReplaceCustomerRolesResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitListCustomerRolesResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitGetRolePermissionsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitGetSystemRolePermissionsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitClearRolePermissionsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f reltioFailure) VisitDeleteCustomerRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

// asReltioFailure turns an expected failure into the operation's error response.
func asReltioFailure(err error) (reltioFailure, bool) {
	var apiErr *reltioError
	if !errors.As(err, &apiErr) {
		return reltioFailure{}, false
	}
	return reltioFailure{err: apiErr}, true
}
