package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/custaccess/custaccess/gen"
)

// egainCode is one entry of eGain's error catalogue: the code a client sees, its HTTP status,
// and the messages (fmt templates over the error's arguments).
type egainCode struct {
	code      string
	status    int
	developer string
	user      string
}

// The eGain error catalogue: every eGain error this service writes is one of these. Codes
// from eGain's published catalogue are reused where they fit; the others follow its form.
var (
	errUnsupportedQueryParameter = egainCode{"400-101", http.StatusBadRequest,
		"Unsupported query parameter(s) supplied: '%s'.",
		"The request contains options that are not supported."}
	errInvalidBodyAttribute = egainCode{"400-152", http.StatusBadRequest,
		"Invalid value for body attribute '%s': %s.",
		"The request contains an invalid value."}
	errInvalidParameterValue = egainCode{"400-196", http.StatusBadRequest,
		"Invalid value for parameter '%s': %s.",
		"The request contains an invalid value."}
	errBodyRequired = egainCode{"400-201", http.StatusBadRequest,
		"Request body is required.",
		"The request is incomplete."}
	errBodyMalformed = egainCode{"400-202", http.StatusBadRequest,
		"Request body is malformed: %s.",
		"The request could not be read."}
	errBodyNotAllowed = egainCode{"400-203", http.StatusBadRequest,
		"Request body is not allowed.",
		"The request could not be processed."}
	errCustomersNotFound = egainCode{"400-301", http.StatusBadRequest,
		"Customer(s) not found: '%s'.",
		"One or more customers do not exist."}
	errGrantOnItself = egainCode{"400-302", http.StatusBadRequest,
		"A customer cannot be given a grant on itself: '%s'.",
		"A customer cannot be given a grant on itself."}
	errCustomersNotIndividual = egainCode{"400-303", http.StatusBadRequest,
		"Customer(s) '%s' are not individual customers; grants are given only on and to individual customers.",
		"Grants can be given only on and to individual customers."}
	errDepartmentsDiffer = egainCode{"400-304", http.StatusBadRequest,
		"Customers '%s' do not all belong to the same department; customer departmentalization is enabled.",
		"All customers must belong to the same department."}
	errGranteeLimit = egainCode{"400-305", http.StatusBadRequest,
		"Customer(s) '%s' already have grants on the maximum of %d customers.",
		"A customer can have grants on at most %[2]d customers."}
	errGrantedOnLimit = egainCode{"400-306", http.StatusBadRequest,
		"Customer '%s' can have at most %d customers with grants on it; it has %d and the request adds %d.",
		"At most %[2]d customers can have grants on one customer."}
	errInvalidToken = egainCode{"401-101", http.StatusUnauthorized,
		"Invalid or expired Authorization header.",
		"Your session is not valid. Sign in again."}
	errMissingToken = egainCode{"401-104", http.StatusUnauthorized,
		"Invalid or missing authorization header: a bearer token is required.",
		"You must sign in to perform this action."}
	errNotAllowed = egainCode{"403-105", http.StatusForbidden,
		"User is not allowed to perform this action: %s.",
		"You are not allowed to perform this action."}
	errActionRequired = egainCode{"403-178", http.StatusForbidden,
		"User is not allowed to perform the action '%s'.",
		"You are not allowed to perform the action '%s'."}
	errDepartmentNotAuthorized = egainCode{"403-197", http.StatusForbidden,
		"Not authorized: customer(s) '%s' are outside the user's home and foreign departments.",
		"You are not authorized to access these customers."}
	errPathIDsNotFound = egainCode{"404-100", http.StatusNotFound,
		"Id(s) in the URI path not found: '%s'.",
		"The requested item was not found."}
	errNoSuchResource = egainCode{"404-101", http.StatusNotFound,
		"No resource at '%s'.",
		"The requested item was not found."}
	errGrantNotFound = egainCode{"404-102", http.StatusNotFound,
		"Customer '%s' holds no grant on customer '%s'.",
		"The requested grant was not found."}
	errMethodNotAllowed = egainCode{"405-100", http.StatusMethodNotAllowed,
		"Method '%s' is not allowed on '%s'.",
		"The request could not be processed."}
	errInvalidAcceptLanguage = egainCode{"406-100", http.StatusNotAcceptable,
		"Invalid Accept-Language header value: '%s'.",
		"The requested language is not supported."}
	errNotAcceptable = egainCode{"406-101", http.StatusNotAcceptable,
		"None of the media types in the Accept header can be produced: '%s'; use application/json.",
		"The requested format is not supported."}
	errBodyTooLarge = egainCode{"413-100", http.StatusRequestEntityTooLarge,
		"Request body is too large; the limit is %s.",
		"The request is too large."}
	errUnsupportedMediaType = egainCode{"415-100", http.StatusUnsupportedMediaType,
		"Unsupported media type: '%s'; use application/json.",
		"The request format is not supported."}
	errTooManyRequests = egainCode{"429-100", http.StatusTooManyRequests,
		"Too many requests; retry after %s second(s).",
		"Too many requests. Try again later."}
	errSystem = egainCode{"500-100", http.StatusInternalServerError,
		"System is unable to process the request.",
		"The system is unable to process your request. Try again later."}
	errUnavailable = egainCode{"503-100", http.StatusServiceUnavailable,
		"Service is temporarily unavailable: the database did not answer in time; nothing was changed.",
		"The system is temporarily unavailable. Try again later."}
)

// egainError is an eGain error about to be written: a catalogue entry, its message
// arguments and its details.
type egainError struct {
	code    egainCode
	args    []any
	details []gen.WSErrorDetail
}

func newEgainError(code egainCode, args ...any) *egainError {
	return &egainError{code: code, args: args}
}

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

func (e *egainError) Error() string {
	return e.code.code + " " + render(e.code.developer, e.args)
}

// render fills a message template; a template without verbs ignores the arguments, and one
// with explicit indexes ("%[2]d") may use some of them.
func render(template string, args []any) string {
	if !strings.Contains(template, "%") {
		return template
	}
	return fmt.Sprintf(template, args...)
}

// maxErrorDetails is WSError's limit on details.
const maxErrorDetails = 30

// body renders the error as eGain's WSError; userMessage only when the client asked for it
// with X-egain-error-message: yes.
func (e *egainError) body(withUserMessage bool) gen.WSError {
	body := gen.WSError{Code: e.code.code, DeveloperMessage: render(e.code.developer, e.args)}
	if withUserMessage {
		msg := render(e.code.user, e.args)
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

// wantsUserMessage reads eGain's X-egain-error-message request header.
func wantsUserMessage(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get("X-egain-error-message")), "yes")
}

// writeEgainError writes the error as the response.
func writeEgainError(w http.ResponseWriter, withUserMessage bool, e *egainError) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(e.body(withUserMessage)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code.status)
	_, err := buf.WriteTo(w)
	return err
}

// egainFailure is the strict-handler response for an expected failure of an eGain operation.
type egainFailure struct {
	err             *egainError
	withUserMessage bool
}

func (f egainFailure) write(w http.ResponseWriter) error {
	return writeEgainError(w, f.withUserMessage, f.err)
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

type userMessageKey struct{}

// withUserMessagePreference remembers X-egain-error-message for handlers, which see only
// the request's context.
func withUserMessagePreference(ctx context.Context, h http.Header) context.Context {
	return context.WithValue(ctx, userMessageKey{}, wantsUserMessage(h))
}

func userMessageWanted(ctx context.Context) bool {
	wanted, _ := ctx.Value(userMessageKey{}).(bool)
	return wanted
}

func (e *egainError) httpStatus() int   { return e.code.status }
func (e *egainError) errorCode() string { return e.code.code }

func (e *egainError) writeResponse(w http.ResponseWriter, r *http.Request) error {
	return writeEgainError(w, wantsUserMessage(r.Header), e)
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
		return newEgainError(errInvalidParameterValue, p.subject, p.reason).with("parameter", p.subject)
	case problemInvalidBodyAttribute:
		return newEgainError(errInvalidBodyAttribute, p.subject, p.reason).with("attribute", p.subject)
	case problemBodyRequired:
		return newEgainError(errBodyRequired)
	case problemBodyMalformed:
		return newEgainError(errBodyMalformed, p.reason)
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
		return newEgainError(errNotAllowed, p.reason)
	case problemRateLimited:
		return newEgainError(errTooManyRequests, p.subject)
	case problemUnavailable:
		return newEgainError(errUnavailable)
	}
	return newEgainError(errSystem)
}
