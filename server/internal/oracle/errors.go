package oracle

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// The errors of Oracle's ADF REST framework: the catalogue entry type, the framework's own
// entries, and how an error is written for each framework version. The resources add
// their entries (oracle_roles_errors.go).

// adfCode is one entry of the Oracle error catalogue: the o:errorCode a client sees, its
// HTTP status, and the detail (a fmt template over the error's arguments). ADF Business
// Components' JBO codes are used where one fits, ADF_REST_* for the framework's own
// refusals, SVC_CSS_* for the self-service rules.
type adfCode struct {
	code   string
	status int
	detail string
}

// The errors of the ADF REST framework, whatever the resource. Each resource adds its own.
var (
	adfNoSuchResource = adfCode{"ADF_REST_RESOURCE_NOT_FOUND", http.StatusNotFound,
		"The resource %s doesn't exist."}
	adfMethodNotAllowed = adfCode{"ADF_REST_METHOD_NOT_ALLOWED", http.StatusMethodNotAllowed,
		"The method %s isn't allowed on %s."}
	adfUnknownQueryParameter = adfCode{"ADF_REST_UNKNOWN_QUERY_PARAMETER", http.StatusBadRequest,
		"The query parameter(s) %s aren't supported by this resource."}
	adfInvalidParameter = adfCode{"ADF_REST_INVALID_PARAMETER", http.StatusBadRequest,
		"The value of %s is invalid: %s."}
	adfUnsupportedVersion = adfCode{"ADF_REST_UNSUPPORTED_FRAMEWORK_VERSION", http.StatusBadRequest,
		"The REST framework version %q isn't supported; use 1 to 9."}
	adfInvalidAttribute = adfCode{"ADF_REST_INVALID_ATTRIBUTE", http.StatusBadRequest,
		"The value of attribute %s is invalid: %s."}
	adfUnknownAttribute = adfCode{"JBO-25058", http.StatusBadRequest,
		"Attribute %s isn't defined in %s."}
	adfReadOnlyAttribute = adfCode{"JBO-27008", http.StatusBadRequest,
		"Attribute %s in %s is read-only."}
	adfAttributeRequired = adfCode{"JBO-27014", http.StatusBadRequest,
		"Attribute %s in %s is required: %s."}
	adfInvalidBody = adfCode{"ADF_REST_INVALID_BODY", http.StatusBadRequest,
		"The request body is invalid: %s."}
	adfBodyRequired = adfCode{"ADF_REST_BODY_REQUIRED", http.StatusBadRequest,
		"A request body is required."}
	adfBodyMalformed = adfCode{"ADF_REST_MALFORMED_BODY", http.StatusBadRequest,
		"The request body isn't valid JSON: %s."}
	adfBodyNotAllowed = adfCode{"ADF_REST_BODY_NOT_ALLOWED", http.StatusBadRequest,
		"A request body isn't allowed."}
	adfAuthenticationRequired = adfCode{"ADF_REST_AUTHENTICATION_REQUIRED", http.StatusUnauthorized,
		"A bearer token is required."}
	adfInvalidToken = adfCode{"ADF_REST_INVALID_TOKEN", http.StatusUnauthorized,
		"The bearer token is invalid or expired, or its user no longer exists."}
	adfNotAuthorized = adfCode{"ADF_REST_NOT_AUTHORIZED", http.StatusForbidden,
		"You aren't authorized to perform this action: %s."}
	adfNotAcceptable = adfCode{"ADF_REST_NOT_ACCEPTABLE", http.StatusNotAcceptable,
		"None of the media types in the Accept header can be produced: %s."}
	adfBodyTooLarge = adfCode{"ADF_REST_BODY_TOO_LARGE", http.StatusRequestEntityTooLarge,
		"The request body is too large; the limit is %s."}
	adfUnsupportedMediaType = adfCode{"ADF_REST_UNSUPPORTED_MEDIA_TYPE", http.StatusUnsupportedMediaType,
		"The media type %s isn't supported; use application/json or application/vnd.oracle.adf.resourceitem+json."}
	adfTooManyRequests = adfCode{"ADF_REST_TOO_MANY_REQUESTS", http.StatusTooManyRequests,
		"Too many requests; retry after %s second(s)."}
	adfBatchInvalidPath = adfCode{"ADF_REST_BATCH_INVALID_PATH", http.StatusBadRequest,
		"Batch part %d (%s): the path %q can't be used in a batch: %s."}
	adfBatchDuplicateID = adfCode{"ADF_REST_BATCH_DUPLICATE_ID", http.StatusBadRequest,
		"Batch part %d: the id %q is given to an earlier part too."}
	adfBatchInvalidPrecondition = adfCode{"ADF_REST_BATCH_INVALID_PRECONDITION", http.StatusBadRequest,
		"Batch part %d (%s): %s."}
	// adfBatchPartFailed is the detail of a batch's error for its failed part; the code and
	// status are the part's own.
	adfBatchPartFailed = adfCode{"", 0, "Batch part %d (%s) failed, so no part was applied: %s"}
	adfSystem          = adfCode{"ADF_REST_INTERNAL_ERROR", http.StatusInternalServerError,
		"The system is unable to process the request."}
	adfUnavailable = adfCode{"ADF_REST_SERVICE_UNAVAILABLE", http.StatusServiceUnavailable,
		"The service is temporarily unavailable: the database did not answer in time."}
)

// adfError is an Oracle error about to be written: a catalogue entry, its message
// arguments, and what it is about (o:errorPath).
type adfError struct {
	code adfCode
	args []any
	path string
}

func newADFError(code adfCode, args ...any) *adfError {
	return &adfError{code: code, args: args}
}

// at names the body attribute, parameter or header at fault.
func (e *adfError) at(path string) *adfError {
	e.path = untrusted.Clip(path, untrusted.MaxEchoLength) // o:errorPath's schema length
	return e
}

func (e *adfError) detail() string { return httpapi.Render(e.code.detail, e.args) }

func (e *adfError) Error() string     { return e.code.code + " " + e.detail() }
func (e *adfError) HTTPStatus() int   { return e.code.status }
func (e *adfError) ErrorCode() string { return e.code.code }

func (e *adfError) WriteResponse(w http.ResponseWriter, r *http.Request) error {
	return writeADFError(w, frameworkFromHeader(r.Header), e)
}

// writeADFError writes the error in the form the framework version asks for: JSON from
// version 4; before it the message alone, as text, which is what Oracle's servers send and
// its clients show.
func writeADFError(w http.ResponseWriter, f adfFramework, e *adfError) error {
	f.writeHeaders(w.Header())
	if f.jsonErrors() {
		detail := gen.AdfErrorDetail{Detail: e.detail(), OErrorCode: e.code.code}
		if e.path != "" {
			detail.OErrorPath = &e.path
		}
		body := gen.AdfError{
			Title:         http.StatusText(e.code.status),
			Status:        strconv.Itoa(e.code.status),
			OErrorDetails: []gen.AdfErrorDetail{detail},
		}
		// Details quote q and orderBy values, such as RoleId>5.
		return httpapi.WriteJSON(w, e.code.status, mediaTypeADFError, body, false)
	}
	w.Header().Set("Content-Type", mediaTypeText)
	w.WriteHeader(e.code.status)
	_, err := io.WriteString(w, e.detail())
	return err
}

// oracleFailure is the strict-handler response for an expected failure of an Oracle
// operation.
type oracleFailure struct {
	err       *adfError
	framework adfFramework
}

func (f oracleFailure) write(w http.ResponseWriter) error {
	return writeADFError(w, f.framework, f.err)
}

func (f oracleFailure) Failure() httpapi.VendorError { return f.err }

// asOracleFailure turns an expected failure into the operation's error response.
func asOracleFailure(err error, f adfFramework) (oracleFailure, bool) {
	var apiErr *adfError
	if !errors.As(err, &apiErr) {
		return oracleFailure{}, false
	}
	return oracleFailure{err: apiErr, framework: f}, true
}
