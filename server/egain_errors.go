package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/custaccess/custaccess/gen"
)

// egainErrorID names an entry of the eGain error catalogue.
type egainErrorID int

const (
	errUnsupportedQueryParameter egainErrorID = iota
	errInvalidBodyAttribute
	errInvalidParameterValue
	errBodyRequired
	errBodyMalformed
	errBodyNotAllowed
	errCustomersNotFound
	errGrantOnItself
	errCustomersNotIndividual
	errDepartmentsDiffer
	errGranteeLimit
	errGrantedOnLimit
	errInvalidToken
	errMissingToken
	errNotAllowed
	errActionRequired
	errDepartmentNotAuthorized
	errPathIDsNotFound
	errNoSuchResource
	errGrantNotFound
	errMethodNotAllowed
	errInvalidAcceptLanguage
	errNotAcceptable
	errBodyTooLarge
	errUnsupportedMediaType
	errTooManyRequests
	errSystem
	errUnavailable
)

// egainCode is one entry of the eGain error catalogue.
type egainCode struct {
	code   string
	status int
	// message is the key of the developer and user messages in egain_messages/.
	message string
	// args names, in order, the arguments newEgainError takes: the messages' placeholders.
	args []string
	// count names the argument whose number picks the messages' plural form.
	count string
	// details lists the details keys the error may carry.
	details []string
}

// egainCatalogue is the single source of every eGain error this service writes. Codes from
// eGain's published catalogue are reused where they fit; the others follow its form. The
// spec documents each code with an example and the README lists them.
var egainCatalogue = [...]egainCode{
	errUnsupportedQueryParameter: {"400-101", http.StatusBadRequest, "unsupportedQueryParameter", []string{"Parameters"}, "", []string{"parameter"}},
	errInvalidBodyAttribute:      {"400-152", http.StatusBadRequest, "invalidBodyAttribute", []string{"Attribute", "Reason"}, "", []string{"attribute"}},
	errInvalidParameterValue:     {"400-196", http.StatusBadRequest, "invalidParameterValue", []string{"Parameter", "Reason"}, "", []string{"parameter"}},
	errBodyRequired:              {"400-201", http.StatusBadRequest, "bodyRequired", nil, "", nil},
	errBodyMalformed:             {"400-202", http.StatusBadRequest, "bodyMalformed", []string{"Reason"}, "", nil},
	errBodyNotAllowed:            {"400-203", http.StatusBadRequest, "bodyNotAllowed", nil, "", nil},
	errCustomersNotFound:         {"400-301", http.StatusBadRequest, "customersNotFound", []string{"CustomerIDs"}, "", []string{"customerId"}},
	errGrantOnItself:             {"400-302", http.StatusBadRequest, "grantOnItself", []string{"CustomerID"}, "", []string{"customerId"}},
	errCustomersNotIndividual:    {"400-303", http.StatusBadRequest, "customersNotIndividual", []string{"CustomerIDs"}, "", []string{"customerId"}},
	errDepartmentsDiffer:         {"400-304", http.StatusBadRequest, "departmentsDiffer", []string{"CustomerIDs"}, "", nil},
	errGranteeLimit:              {"400-305", http.StatusBadRequest, "granteeLimit", []string{"CustomerIDs", "Limit"}, "Limit", []string{"customerId"}},
	errGrantedOnLimit:            {"400-306", http.StatusBadRequest, "grantedOnLimit", []string{"CustomerID", "Limit", "Current", "Added"}, "Limit", []string{"customerId"}},
	errInvalidToken:              {"401-101", http.StatusUnauthorized, "invalidToken", nil, "", nil},
	errMissingToken:              {"401-104", http.StatusUnauthorized, "missingToken", nil, "", nil},
	errNotAllowed:                {"403-105", http.StatusForbidden, "notAllowed", []string{"Reason"}, "", []string{"clientType", "scope"}},
	errActionRequired:            {"403-178", http.StatusForbidden, "actionRequired", []string{"Action"}, "", []string{"action"}},
	errDepartmentNotAuthorized:   {"403-197", http.StatusForbidden, "departmentNotAuthorized", []string{"CustomerIDs"}, "", []string{"customerId"}},
	errPathIDsNotFound:           {"404-100", http.StatusNotFound, "pathIdsNotFound", []string{"IDs"}, "", []string{"id"}},
	errNoSuchResource:            {"404-101", http.StatusNotFound, "noSuchResource", []string{"Path"}, "", nil},
	errGrantNotFound:             {"404-102", http.StatusNotFound, "grantNotFound", []string{"Grantee", "GrantedOn"}, "", []string{"id", "grantedcustomerid"}},
	errMethodNotAllowed:          {"405-100", http.StatusMethodNotAllowed, "methodNotAllowed", []string{"Method", "Path"}, "", nil},
	errInvalidAcceptLanguage:     {"406-100", http.StatusNotAcceptable, "invalidAcceptLanguage", []string{"Value"}, "", []string{"Accept-Language"}},
	errNotAcceptable:             {"406-101", http.StatusNotAcceptable, "notAcceptable", []string{"Accept"}, "", []string{"Accept"}},
	errBodyTooLarge:              {"413-100", http.StatusRequestEntityTooLarge, "bodyTooLarge", []string{"Limit"}, "", nil},
	errUnsupportedMediaType:      {"415-100", http.StatusUnsupportedMediaType, "unsupportedMediaType", []string{"MediaType"}, "", []string{"Content-Type"}},
	errTooManyRequests:           {"429-100", http.StatusTooManyRequests, "tooManyRequests", []string{"Seconds"}, "", nil},
	errSystem:                    {"500-100", http.StatusInternalServerError, "system", nil, "", nil},
	errUnavailable:               {"503-100", http.StatusServiceUnavailable, "unavailable", nil, "", nil},
}

// egainReason is a part of a message that explains a reason, worded in the response's
// locale like the message it goes into.
type egainReason struct {
	message string
	data    map[string]any
	count   any
}

// egainError is an eGain error about to be written: a catalogue entry, its message
// arguments and its details.
type egainError struct {
	id      egainErrorID
	args    []any
	details []gen.WSErrorDetail
}

func newEgainError(id egainErrorID, args ...any) *egainError {
	return &egainError{id: id, args: args}
}

func (e *egainError) entry() egainCode { return egainCatalogue[e.id] }

// with adds a details entry.
func (e *egainError) with(key, value string) *egainError {
	e.details = append(e.details, gen.WSErrorDetail{Key: key, Value: value})
	return e
}

// withEach adds one details entry per value, under the same key.
func (e *egainError) withEach(key string, values []string) *egainError {
	for _, v := range values {
		e.with(key, v)
	}
	return e
}

// Error is the English developer message, for the logs.
func (e *egainError) Error() string {
	return e.entry().code + " " + e.body(egainPreferences{locale: defaultLocale}).DeveloperMessage
}

// maxErrorDetails is WSError's limit on details.
const maxErrorDetails = 30

// body renders the error as eGain's WSError in the locale asked for; userMessage only when
// the client asked for it with X-egain-error-message: yes.
func (e *egainError) body(p egainPreferences) gen.WSError {
	entry := e.entry()
	data, count := e.templateData(p.locale)
	body := gen.WSError{Code: entry.code, DeveloperMessage: localize(p.locale, entry.message+".developer", data, count)}
	if p.userMessage {
		msg := localize(p.locale, entry.message+".user", data, count)
		body.UserMessage = &msg
	}
	if len(e.details) > 0 {
		details := e.details
		if len(details) > maxErrorDetails {
			details = details[:maxErrorDetails]
		}
		body.Details = &details
	}
	return body
}

// templateData names the arguments as the catalogue says, reasons worded in the locale.
func (e *egainError) templateData(locale int) (map[string]any, any) {
	entry := e.entry()
	data := make(map[string]any, len(entry.args))
	for i, name := range entry.args {
		if i >= len(e.args) {
			break
		}
		if reason, ok := e.args[i].(egainReason); ok {
			data[name] = localize(locale, reason.message, reason.data, reason.count)
		} else {
			data[name] = e.args[i]
		}
	}
	var count any
	if entry.count != "" {
		count = data[entry.count]
	}
	return data, count
}

// write writes the error in the negotiated media type and locale.
func (e *egainError) write(w http.ResponseWriter, p egainPreferences) error {
	var buf bytes.Buffer
	contentType := "application/json"
	if p.xml {
		contentType = "application/xml"
		data, err := marshalXML(e.body(p), "WSError")
		if err != nil {
			return err
		}
		buf.Write(data)
	} else if err := json.NewEncoder(&buf).Encode(e.body(p)); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	setEgainResponseHeaders(h, p)
	w.WriteHeader(e.entry().status)
	_, err := buf.WriteTo(w)
	return err
}

// egainFailure is the strict-handler response for an expected failure of an eGain operation.
type egainFailure struct {
	err         *egainError
	preferences egainPreferences
}

func (f egainFailure) write(w http.ResponseWriter) error {
	return f.err.write(w, f.preferences)
}

func (f egainFailure) failure() vendorError { return f.err }

func (f egainFailure) VisitCreateCustomerGrantsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f egainFailure) VisitListCustomerGrantsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f egainFailure) VisitDeleteCustomerGrantResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (e *egainError) httpStatus() int   { return e.entry().status }
func (e *egainError) errorCode() string { return e.entry().code }

func (e *egainError) writeResponse(w http.ResponseWriter, r *http.Request) error {
	return e.write(w, egainPreferencesOf(r))
}

// egainFamily renders request problems as eGain WSErrors.
type egainFamily struct{}

func (egainFamily) fromProblem(p *requestProblem) vendorError {
	switch p.kind {
	case problemNoRoute:
		return newEgainError(errNoSuchResource, p.subject)
	case problemMethodNotAllowed:
		return newEgainError(errMethodNotAllowed, p.reason, p.subject)
	case problemUnknownQueryParameters:
		return newEgainError(errUnsupportedQueryParameter, strings.Join(p.names, ", ")).withEach("parameter", p.names)
	case problemInvalidParameter:
		if p.in == "header" && strings.EqualFold(p.subject, "Accept-Language") {
			return newEgainError(errInvalidAcceptLanguage, p.value).with("Accept-Language", p.value)
		}
		return newEgainError(errInvalidParameterValue, p.subject, valueReason(p.cause)).with("parameter", p.subject)
	case problemInvalidBodyAttribute:
		attribute := bodyAttribute(p)
		return newEgainError(errInvalidBodyAttribute, attribute, valueReason(p.cause)).with("attribute", attribute)
	case problemBodyRequired:
		return newEgainError(errBodyRequired)
	case problemBodyMalformed:
		return newEgainError(errBodyMalformed, bodyReason(p.cause))
	case problemBodyNotAllowed:
		return newEgainError(errBodyNotAllowed)
	case problemBodyTooLarge:
		return newEgainError(errBodyTooLarge, p.subject)
	case problemUnsupportedMediaType:
		return newEgainError(errUnsupportedMediaType, p.subject).with("Content-Type", p.subject)
	case problemNotAcceptable:
		return newEgainError(errNotAcceptable, p.subject).with("Accept", p.subject)
	case problemMissingToken:
		return newEgainError(errMissingToken)
	case problemInvalidToken:
		return newEgainError(errInvalidToken)
	case problemNotPermitted:
		var wrong *wrongPrincipalError
		switch {
		case errors.As(p.cause, &wrong) && len(wrong.scopes) > 0:
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.missingScopes", data: map[string]any{"Scopes": strings.Join(wrong.scopes, ", ")}}).
				withEach("scope", wrong.scopes)
		case wrong != nil:
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.wrongPrincipal", data: map[string]any{"Kind": string(wrong.kind)}})
		}
		return newEgainError(errNotAllowed, egainReason{message: "reason.auth.noRequirement"})
	case problemRateLimited:
		return newEgainError(errTooManyRequests, p.subject)
	case problemUnavailable:
		return newEgainError(errUnavailable)
	}
	return newEgainError(errSystem)
}

// valueReason words why a parameter or body attribute is invalid from the schema rule it
// breaks.
func valueReason(cause error) egainReason {
	var schemaErr *openapi3.SchemaError
	if !errors.As(cause, &schemaErr) {
		return egainReason{message: "reason.invalidValue"}
	}
	schema := schemaErr.Schema
	switch field := schemaErr.SchemaField; field {
	case "required", "uniqueItems":
		return egainReason{message: "reason.schema." + field}
	case "properties", "additionalProperties":
		return egainReason{message: "reason.schema.additionalProperties"}
	case "type":
		return egainReason{message: "reason.schema.type", data: map[string]any{"Type": strings.Join(schema.Type.Slice(), ", ")}}
	case "pattern":
		return egainReason{message: "reason.schema.pattern", data: map[string]any{"Pattern": schema.Pattern}}
	case "maxItems":
		return countedReason("reason.schema.maxItems", schema.MaxItems)
	case "minItems":
		return countedReason("reason.schema.minItems", &schema.MinItems)
	case "maxLength":
		return countedReason("reason.schema.maxLength", schema.MaxLength)
	case "enum":
		values := make([]string, len(schema.Enum))
		for i, v := range schema.Enum {
			values[i], _ = v.(string)
		}
		return egainReason{message: "reason.schema.enum", data: map[string]any{"Values": strings.Join(values, ", ")}}
	default:
		return egainReason{message: "reason.schema.rule", data: map[string]any{"Rule": field}}
	}
}

// unsupportedPropertyReason is how kin-openapi words a member that additionalProperties:
// false refuses; its path leads to the object, not to the member.
var unsupportedPropertyReason = regexp.MustCompile(`^property "(.+)" is unsupported$`)

// bodyAttribute is the path of the body attribute a problem is about, down to an
// unsupported member itself.
func bodyAttribute(p *requestProblem) string {
	var schemaErr *openapi3.SchemaError
	if !errors.As(p.cause, &schemaErr) {
		return p.subject
	}
	m := unsupportedPropertyReason.FindStringSubmatch(schemaErr.Reason)
	if m == nil {
		return p.subject
	}
	if path := schemaErr.JSONPointer(); len(path) > 0 {
		return strings.Join(append(path, m[1]), ".")
	}
	return m[1]
}

func countedReason(message string, limit *uint64) egainReason {
	var n int64
	if limit != nil {
		n = int64(*limit)
	}
	return egainReason{message: message, data: map[string]any{"Limit": n}, count: n}
}

// bodyReason words why a body could not be decoded: as XML by the binding, or as JSON.
func bodyReason(cause error) egainReason {
	var xmlErr *xmlBindingError
	if !errors.As(cause, &xmlErr) {
		var parseErr *openapi3filter.ParseError
		if errors.As(cause, &parseErr) && parseErr.Kind == openapi3filter.KindInvalidFormat {
			return egainReason{message: "reason.body.json"}
		}
		return egainReason{message: "reason.body.undecodable"}
	}
	data := map[string]any{"Element": xmlErr.element, "Namespace": xmlErr.namespace, "Line": xmlErr.line}
	reason := egainReason{message: "reason.xml." + string(xmlErr.problem), data: data}
	switch xmlErr.problem {
	case xmlDepth:
		data["Limit"], reason.count = maxXMLDepth, maxXMLDepth
	case xmlTokens:
		data["Limit"], reason.count = maxXMLTokens, maxXMLTokens
	}
	return reason
}
