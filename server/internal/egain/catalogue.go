package egain

import "net/http"

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
	// egainErrorCount is the number of entries; the catalogue's array has exactly as many.
	egainErrorCount
)

// egainCode is one entry of the eGain error catalogue.
type egainCode struct {
	code   string
	status int
	// message is the key of the developer and user messages in messages/.
	message string
	// args names, in order, the arguments newEgainError takes: the messages' placeholders.
	// A list of ids is passed as a []string and written comma-separated.
	args []string
	// count names the argument whose number picks the messages' plural form: the length of
	// a list, which the messages write as {{.Count}}, or an integer such as a limit.
	count string
	// details lists the details keys the error may carry.
	details []string
}

// 400-304 lists every customer of the request, always two or more, so its plural wording
// fits every count and it needs no plural forms.
//
// egainCatalogue is the single source of every eGain error this service writes. Codes from
// eGain's published catalogue are reused where they fit; the others follow its form. The
// spec documents each code with an example and the README lists them.
var egainCatalogue = [egainErrorCount]egainCode{
	errUnsupportedQueryParameter: {"400-101", http.StatusBadRequest, "unsupportedQueryParameter", []string{"Parameters"}, "", []string{"parameter"}},
	errInvalidBodyAttribute:      {"400-152", http.StatusBadRequest, "invalidBodyAttribute", []string{"Attribute", "Reason"}, "", []string{"attribute"}},
	errInvalidParameterValue:     {"400-196", http.StatusBadRequest, "invalidParameterValue", []string{"Parameter", "Reason"}, "", []string{"parameter"}},
	errBodyRequired:              {"400-201", http.StatusBadRequest, "bodyRequired", nil, "", nil},
	errBodyMalformed:             {"400-202", http.StatusBadRequest, "bodyMalformed", []string{"Reason"}, "", nil},
	errBodyNotAllowed:            {"400-203", http.StatusBadRequest, "bodyNotAllowed", nil, "", nil},
	errCustomersNotFound:         {"400-301", http.StatusBadRequest, "customersNotFound", []string{"CustomerIDs"}, "CustomerIDs", []string{"customerId"}},
	errGrantOnItself:             {"400-302", http.StatusBadRequest, "grantOnItself", []string{"CustomerID"}, "", []string{"customerId"}},
	errCustomersNotIndividual:    {"400-303", http.StatusBadRequest, "customersNotIndividual", []string{"CustomerIDs"}, "CustomerIDs", []string{"customerId"}},
	errDepartmentsDiffer:         {"400-304", http.StatusBadRequest, "departmentsDiffer", []string{"CustomerIDs"}, "", nil},
	errGranteeLimit:              {"400-305", http.StatusBadRequest, "granteeLimit", []string{"CustomerIDs", "Limit"}, "CustomerIDs", []string{"customerId"}},
	errGrantedOnLimit:            {"400-306", http.StatusBadRequest, "grantedOnLimit", []string{"CustomerID", "Limit", "Current", "Added"}, "Limit", []string{"customerId"}},
	errInvalidToken:              {"401-101", http.StatusUnauthorized, "invalidToken", nil, "", nil},
	errMissingToken:              {"401-104", http.StatusUnauthorized, "missingToken", nil, "", nil},
	errNotAllowed:                {"403-105", http.StatusForbidden, "notAllowed", []string{"Reason"}, "", []string{"clientType", "scope"}},
	errActionRequired:            {"403-178", http.StatusForbidden, "actionRequired", []string{"Action"}, "", []string{"action"}},
	errDepartmentNotAuthorized:   {"403-197", http.StatusForbidden, "departmentNotAuthorized", []string{"CustomerIDs"}, "CustomerIDs", []string{"customerId"}},
	errPathIDsNotFound:           {"404-100", http.StatusNotFound, "pathIdsNotFound", []string{"IDs"}, "IDs", []string{"id"}},
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
