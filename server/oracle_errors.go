package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/gen"
)

// adfCode is one entry of the Oracle error catalogue: the o:errorCode a client sees, its
// HTTP status, and the detail (a fmt template over the error's arguments). ADF Business
// Components' JBO codes are used where one fits, ADF_REST_* for the framework's own
// refusals, SVC_CSS_* for the self-service rules.
type adfCode struct {
	code   string
	status int
	detail string
}

// The Oracle error catalogue.
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
	adfNotUpdatableAttribute = adfCode{"JBO-27008", http.StatusBadRequest,
		"Attribute %s in %s can't be changed; only RelationshipTypeCd and RequestTypeCd can."}
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
	adfMediaTypeSpelling = adfCode{"ADF_REST_UNSUPPORTED_MEDIA_TYPE", http.StatusUnsupportedMediaType,
		"Write the Content-Type in lower case and without leading spaces: application/json or application/vnd.oracle.adf.resourceitem+json."}
	adfTooManyRequests = adfCode{"ADF_REST_TOO_MANY_REQUESTS", http.StatusTooManyRequests,
		"Too many requests; retry after %s second(s)."}
	adfSystem = adfCode{"ADF_REST_INTERNAL_ERROR", http.StatusInternalServerError,
		"The system is unable to process the request."}
	adfUnavailable = adfCode{"ADF_REST_SERVICE_UNAVAILABLE", http.StatusServiceUnavailable,
		"The service is temporarily unavailable: the database did not answer in time."}

	cssUserNotFound = adfCode{"JBO-25020", http.StatusNotFound,
		"The self-service user %d doesn't exist."}
	cssRoleNotFound = adfCode{"JBO-25020", http.StatusNotFound,
		"The self-service user %d has no self-service role %d."}
	cssActiveRoleNotFound = adfCode{"JBO-25020", http.StatusNotFound,
		"The self-service user %d has no active self-service role %d; it was removed on %s."}
	cssPrivilegeRequired = adfCode{"SVC_CSS_PRIVILEGE_REQUIRED", http.StatusForbidden,
		"You need the privilege %s to %s self-service roles."}
	cssContactMismatch = adfCode{"SVC_CSS_CONTACT_MISMATCH", http.StatusBadRequest,
		"Contact %d isn't the contact of self-service user %d (%d)."}
	cssLoginMismatch = adfCode{"SVC_CSS_LOGIN_MISMATCH", http.StatusBadRequest,
		"Login %q isn't the login of self-service user %d."}
	cssAccountNotOfContact = adfCode{"SVC_CSS_ACCOUNT_MISMATCH", http.StatusBadRequest,
		"Account %d isn't an account of contact %d, the contact of self-service user %d."}
	cssInvalidRelationshipType = adfCode{"SVC_CSS_INVALID_RELATIONSHIP_TYPE", http.StatusBadRequest,
		"Attribute RelationshipTypeCd in SelfServiceRoles: %s is not an enabled code of lookup ORA_SVC_CSS_REL_TYPE_CD."}
	cssInvalidRequestType = adfCode{"SVC_CSS_INVALID_REQUEST_TYPE", http.StatusBadRequest,
		"Attribute RequestTypeCd in SelfServiceRoles: %s is not an enabled code of lookup ORA_SVC_CSS_REQ_TYPE_CD."}
	cssDuplicateRole = adfCode{"JBO-25013", http.StatusBadRequest,
		"Self-service user %d already has an active %s role on account %d; send Upsert-Mode: true to update it."}
	cssLastAccountAdmin = adfCode{"SVC_CSS_LAST_ACCOUNT_ADMIN", http.StatusBadRequest,
		"Role %d is the last active account administrator of account %d; removing it needs the privilege SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV."}
	cssRoleEnded = adfCode{"SVC_CSS_ROLE_ENDED", http.StatusBadRequest,
		"Role %d was removed on %s and can't be changed."}
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
	e.path = path
	return e
}

func (e *adfError) detail() string { return render(e.code.detail, e.args) }

func (e *adfError) Error() string     { return e.code.code + " " + e.detail() }
func (e *adfError) httpStatus() int   { return e.code.status }
func (e *adfError) errorCode() string { return e.code.code }

func (e *adfError) writeResponse(w http.ResponseWriter, r *http.Request) error {
	return writeADFError(w, frameworkFromHeader(r.Header), e)
}

// writeADFError writes the error in the form the framework version asks for: JSON from
// version 4, a line of text ("CODE: detail") before.
func writeADFError(w http.ResponseWriter, f adfFramework, e *adfError) error {
	f.writeHeaders(w.Header())
	var buf bytes.Buffer
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
		encoder := json.NewEncoder(&buf)
		encoder.SetEscapeHTML(false) // details quote q and orderBy values, such as RoleId>5
		if err := encoder.Encode(body); err != nil {
			return err
		}
		w.Header().Set("Content-Type", mediaTypeADFError)
	} else {
		buf.WriteString(e.code.code + ": " + e.detail() + "\n")
		w.Header().Set("Content-Type", mediaTypeText)
	}
	w.WriteHeader(e.code.status)
	_, err := buf.WriteTo(w)
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

func (f oracleFailure) failure() vendorError { return f.err }

func (f oracleFailure) VisitCreateSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitListSelfServiceRolesResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitGetSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitUpdateSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitDeleteSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

// asOracleFailure turns an expected failure into the operation's error response.
func asOracleFailure(err error, f adfFramework) (oracleFailure, bool) {
	var apiErr *adfError
	if !errors.As(err, &apiErr) {
		return oracleFailure{}, false
	}
	return oracleFailure{err: apiErr, framework: f}, true
}

// unsupportedProperty finds the attribute in kin-openapi's reason for a body member the
// schema does not declare; the schema error itself points at the enclosing object.
var unsupportedProperty = regexp.MustCompile(`^property "(.+)" is unsupported$`)

// oracleFamily renders request problems as ADF errors.
type oracleFamily struct{}

func (oracleFamily) fromProblem(p *requestProblem) vendorError {
	switch p.kind {
	case problemNoRoute:
		return newADFError(adfNoSuchResource, p.subject)
	case problemMethodNotAllowed:
		return newADFError(adfMethodNotAllowed, p.reason, p.subject)
	case problemUnknownQueryParameters:
		return newADFError(adfUnknownQueryParameter, strings.Join(p.names, ", ")).at(p.names[0])
	case problemInvalidParameter:
		if p.in == "header" && strings.EqualFold(p.subject, headerFrameworkVersion) {
			return newADFError(adfUnsupportedVersion, p.value).at(headerFrameworkVersion)
		}
		return newADFError(adfInvalidParameter, p.subject, p.reason).at(p.subject)
	case problemInvalidBodyAttribute:
		if m := unsupportedProperty.FindStringSubmatch(p.reason); m != nil {
			if attribute, known := roleAttributeNamed(m[1]); known && attribute.readOnly {
				return newADFError(adfReadOnlyAttribute, m[1], selfServiceRolesName).at(m[1])
			}
			return newADFError(adfUnknownAttribute, m[1], selfServiceRolesName).at(m[1])
		}
		if p.subject == "(body)" {
			return newADFError(adfInvalidBody, p.reason)
		}
		return newADFError(adfInvalidAttribute, p.subject, p.reason).at(p.subject)
	case problemBodyRequired:
		return newADFError(adfBodyRequired)
	case problemBodyMalformed:
		return newADFError(adfBodyMalformed, p.reason)
	case problemBodyNotAllowed:
		return newADFError(adfBodyNotAllowed)
	case problemBodyTooLarge:
		return newADFError(adfBodyTooLarge, p.subject)
	case problemUnsupportedMediaType:
		return newADFError(adfUnsupportedMediaType, p.subject).at("Content-Type")
	case problemNotAcceptable:
		return newADFError(adfNotAcceptable, p.subject).at("Accept")
	case problemMissingToken:
		return newADFError(adfAuthenticationRequired)
	case problemInvalidToken:
		return newADFError(adfInvalidToken)
	case problemNotPermitted:
		return newADFError(adfNotAuthorized, p.reason)
	case problemRateLimited:
		return newADFError(adfTooManyRequests, p.subject)
	case problemUnavailable:
		return newADFError(adfUnavailable)
	}
	return newADFError(adfSystem)
}
