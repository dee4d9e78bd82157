package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/custaccess/custaccess/store"
)

// ProblemKind names a failure found before any handler runs: routing, validation,
// authentication or limits. Each vendor family renders it in its own error shape.
type ProblemKind int

const (
	NoRoute ProblemKind = iota
	MethodNotAllowed
	UnknownQueryParameters
	InvalidParameter
	InvalidBodyAttribute
	BodyRequired
	BodyMalformed
	BodyNotAllowed
	BodyTooLarge
	UnsupportedMediaType
	NotAcceptable
	MissingToken
	InvalidToken
	NotPermitted
	// RateLimited: the principal sent more requests than its rate allows; subject is
	// the number of seconds after which to retry.
	RateLimited
	// Unavailable: the database could not answer in time (see store.ErrUnavailable for
	// what the request wrote).
	Unavailable
	SystemFailure
)

// Problem is one such failure with what a message needs to name.
type Problem struct {
	Kind ProblemKind
	// Subject is what the problem is about: the path, parameter, body attribute, media type
	// or Accept header.
	Subject string
	// In is where a parameter is: path, query or header.
	In string
	// Value is the offending Value of a parameter, when it can be shown, or of a body
	// attribute outside its enum.
	Value string
	// Names lists unknown query parameters.
	Names []string
	// Reason says why, in English.
	Reason string
	// Cause is what the validator or the token check reported, for families that word the
	// reason themselves (in another language, say).
	Cause error
}

func (p *Problem) Error() string {
	if p.Reason == "" {
		return p.Subject
	}
	return p.Subject + ": " + p.Reason
}

// VendorError is an error rendered in a vendor's shape; it writes itself as the response.
type VendorError interface {
	error
	HTTPStatus() int
	// ErrorCode is the vendor's code, for the logs.
	ErrorCode() string
	WriteResponse(w http.ResponseWriter, r *http.Request) error
}

// ToVendorError maps any error that reached Echo to the request's vendor shape: a vendor
// error as it is, a request problem or an Echo HTTP error through the family, anything
// unforeseen as the family's system error.
func (f *Families) ToVendorError(err error, r *http.Request) VendorError {
	var ve VendorError
	if errors.As(err, &ve) {
		return ve
	}
	problem := problemOf(err, r)
	rendered := f.For(r.URL.Path).FromProblem(r, problem.Echoable())
	if problem.Kind == RateLimited {
		return withRetryAfter{rendered, problem.Subject}
	}
	return rendered
}

// problemOf is the request problem err is or stands for.
func problemOf(err error, r *http.Request) *Problem {
	var problem *Problem
	if errors.As(err, &problem) {
		return problem
	}
	if errors.Is(err, store.ErrUnavailable) {
		return &Problem{Kind: Unavailable}
	}
	var httpErr *echo.HTTPError
	if errors.As(err, &httpErr) {
		switch httpErr.Code {
		case http.StatusBadRequest:
			return &Problem{Kind: InvalidParameter, Subject: "request", Reason: HTTPErrorMessage(httpErr)}
		case http.StatusNotFound:
			return &Problem{Kind: NoRoute, Subject: r.URL.Path}
		case http.StatusMethodNotAllowed:
			return &Problem{Kind: MethodNotAllowed, Subject: r.URL.Path, Reason: r.Method}
		case http.StatusRequestEntityTooLarge:
			return &Problem{Kind: BodyTooLarge, Subject: BodyLimit}
		case http.StatusUnsupportedMediaType:
			return &Problem{Kind: UnsupportedMediaType, Subject: r.Header.Get("Content-Type")}
		}
	}
	return &Problem{Kind: SystemFailure}
}

// Echoable is the problem with what the caller wrote (a path, header, parameter name or
// value, and the validator's reason, which may quote them) cut to the lengths an error
// may echo, for every family alike: a request must not make its error, or its log line,
// as large as itself, nor carry back the characters the text rule refuses.
func (p *Problem) Echoable() *Problem {
	bounded := *p
	bounded.Subject, bounded.Value = untrusted.Echoed(untrusted.Shown(p.Subject)), untrusted.Echoed(untrusted.Shown(p.Value))
	bounded.Reason = untrusted.Clip(untrusted.Shown(p.Reason), untrusted.MaxEchoedReasonLength)
	if p.Names != nil {
		bounded.Names = make([]string, len(p.Names))
		for i, name := range p.Names {
			bounded.Names[i] = untrusted.Echoed(untrusted.Shown(name))
		}
	}
	return &bounded
}

func HTTPErrorMessage(e *echo.HTTPError) string {
	if s, ok := e.Message.(string); ok {
		return s
	}
	return http.StatusText(e.Code)
}

// Render fills a message template of a vendor's error catalogue: a template without verbs
// ignores the arguments, and one with explicit indexes ("%[2]d") may use some of them.
func Render(template string, args []any) string {
	if !strings.Contains(template, "%") {
		return template
	}
	return fmt.Sprintf(template, args...)
}

// unsupportedProperty is how kin-openapi words a body member that additionalProperties:
// false refuses; the error's path leads to the enclosing object, not to the member.
var unsupportedProperty = regexp.MustCompile(`^property "(.+)" is unsupported$`)

// UnsupportedMember finds the member in a validator's reason refusing a body member the
// schema does not declare.
func UnsupportedMember(reason string) (member string, ok bool) {
	m := unsupportedProperty.FindStringSubmatch(reason)
	if m == nil {
		return "", false
	}
	return m[1], true
}
