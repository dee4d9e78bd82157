package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/custaccess/custaccess/store"
)

// problemKind names a failure found before any handler runs: routing, validation,
// authentication or limits. Each vendor family renders it in its own error shape.
type problemKind int

const (
	problemNoRoute problemKind = iota
	problemMethodNotAllowed
	problemUnknownQueryParameters
	problemInvalidParameter
	problemInvalidBodyAttribute
	problemBodyRequired
	problemBodyMalformed
	problemBodyNotAllowed
	problemBodyTooLarge
	problemUnsupportedMediaType
	problemNotAcceptable
	problemMissingToken
	problemInvalidToken
	problemNotPermitted
	// problemRateLimited: the principal sent more requests than its rate allows; subject is
	// the number of seconds after which to retry.
	problemRateLimited
	// problemUnavailable: the database could not answer in time (see store.ErrUnavailable for
	// what the request wrote).
	problemUnavailable
	problemSystem
)

// requestProblem is one such failure with what a message needs to name.
type requestProblem struct {
	kind problemKind
	// subject is what the problem is about: the path, parameter, body attribute, media type
	// or Accept header.
	subject string
	// in is where a parameter is: path, query or header.
	in string
	// value is the offending value of a parameter, when it can be shown.
	value string
	// names lists unknown query parameters.
	names []string
	// reason says why, in English.
	reason string
	// cause is what the validator or the token check reported, for families that word the
	// reason themselves (in another language, say).
	cause error
}

func (p *requestProblem) Error() string {
	if p.reason == "" {
		return p.subject
	}
	return p.subject + ": " + p.reason
}

// vendorError is an error rendered in a vendor's shape; it writes itself as the response.
type vendorError interface {
	error
	httpStatus() int
	// errorCode is the vendor's code, for the logs.
	errorCode() string
	writeResponse(w http.ResponseWriter, r *http.Request) error
}

// errorFamily renders request problems in one vendor's error shape.
type errorFamily interface {
	fromProblem(p *requestProblem) vendorError
}

// errorFamilies maps each vendor API's path prefix to its family; paths that belong to no
// API get eGain's shape.
var errorFamilies = []struct {
	prefix string
	family errorFamily
}{
	{"/core/customermgr/", egainFamily{}},
	{"/oauth/token", oauthFamily{}}, // before Reltio's /oauth/: RFC 6749's errors
	{"/oauth/", reltioFamily{}},
	{oracleAPIPrefix, oracleFamily{}},
}

// pathFamily is a family whose messages depend on the resource the request path names.
type pathFamily interface {
	forPath(path string) errorFamily
}

func familyFor(path string) errorFamily {
	for _, f := range errorFamilies {
		if !strings.HasPrefix(path, f.prefix) {
			continue
		}
		if byPath, ok := f.family.(pathFamily); ok {
			return byPath.forPath(path)
		}
		return f.family
	}
	return egainFamily{}
}

// toVendorError maps any error that reached Echo to the request's vendor shape: a vendor
// error as it is, a request problem or an Echo HTTP error through the family, anything
// unforeseen as the family's system error.
func toVendorError(err error, r *http.Request) vendorError {
	var ve vendorError
	if errors.As(err, &ve) {
		return ve
	}
	problem := problemOf(err, r)
	rendered := familyFor(r.URL.Path).fromProblem(problem.echoable())
	if problem.kind == problemRateLimited {
		return withRetryAfter{rendered, problem.subject}
	}
	return rendered
}

// problemOf is the request problem err is or stands for.
func problemOf(err error, r *http.Request) *requestProblem {
	var problem *requestProblem
	if errors.As(err, &problem) {
		return problem
	}
	if errors.Is(err, store.ErrUnavailable) {
		return &requestProblem{kind: problemUnavailable}
	}
	var httpErr *echo.HTTPError
	if errors.As(err, &httpErr) {
		switch httpErr.Code {
		case http.StatusBadRequest:
			return &requestProblem{kind: problemInvalidParameter, subject: "request", reason: errorMessage(httpErr)}
		case http.StatusNotFound:
			return &requestProblem{kind: problemNoRoute, subject: r.URL.Path}
		case http.StatusMethodNotAllowed:
			return &requestProblem{kind: problemMethodNotAllowed, subject: r.URL.Path, reason: r.Method}
		case http.StatusRequestEntityTooLarge:
			return &requestProblem{kind: problemBodyTooLarge, subject: bodyLimit}
		case http.StatusUnsupportedMediaType:
			return &requestProblem{kind: problemUnsupportedMediaType, subject: r.Header.Get("Content-Type")}
		}
	}
	return &requestProblem{kind: problemSystem}
}

// echoable is the problem with what the caller wrote (a path, header, parameter name or
// value, and the validator's reason, which may quote them) cut to the lengths an error
// may echo, for every family alike: a request must not make its error, or its log line,
// as large as itself.
func (p *requestProblem) echoable() *requestProblem {
	bounded := *p
	bounded.subject, bounded.value = untrusted.Echoed(p.subject), untrusted.Echoed(p.value)
	bounded.reason = untrusted.Clip(p.reason, untrusted.MaxEchoedReasonLength)
	if p.names != nil {
		bounded.names = make([]string, len(p.names))
		for i, name := range p.names {
			bounded.names[i] = untrusted.Echoed(name)
		}
	}
	return &bounded
}

func errorMessage(e *echo.HTTPError) string {
	if s, ok := e.Message.(string); ok {
		return s
	}
	return http.StatusText(e.Code)
}

// render fills a message template of a vendor's error catalogue: a template without verbs
// ignores the arguments, and one with explicit indexes ("%[2]d") may use some of them.
func render(template string, args []any) string {
	if !strings.Contains(template, "%") {
		return template
	}
	return fmt.Sprintf(template, args...)
}
