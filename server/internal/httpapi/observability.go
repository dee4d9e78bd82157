package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// RequestRecord collects, while a request is served, what its log line and metrics need
// to say beyond what Echo knows: who called, and how it failed. It lives in the request's
// context, so that strict handlers and the error handler can fill it in.
type RequestRecord struct {
	// principal is "user:LOGIN" or "client:CLIENT_ID" once a caller is known.
	principal string
	// errorCode is the vendor's error code of a failed request.
	errorCode string
	// failure says why: the reason of a refusal, the error behind a 5xx.
	failure string
	// clientGone: the client went away before the answer; none was written.
	clientGone bool
}

// statusClientClosedRequest is what logs and metrics give a request whose client went away
// before its answer (nginx's 499); nothing is sent.
const statusClientClosedRequest = 499

// noteClientGone records that the client went away while the request was served.
func (rec *RequestRecord) noteClientGone(cause error) {
	rec.clientGone = true
	rec.failure = cause.Error()
}

type requestRecordKey struct{}

// RecordOf returns the request's record; outside observeRequests it returns a record
// nobody reads, so callers need not check.
func RecordOf(ctx context.Context) *RequestRecord {
	if rec, ok := ctx.Value(requestRecordKey{}).(*RequestRecord); ok {
		return rec
	}
	return &RequestRecord{}
}

// noteFailure records an error response: its code, and why. The error behind a 5xx is
// kept for the log; for a refusal the vendor message suffices, but for a refused token,
// whose message says only that it is invalid, the verifier's reason is added (an
// operator setting up an identity provider needs it; it never holds the token).
func (rec *RequestRecord) noteFailure(apiErr VendorError, cause error) {
	rec.errorCode = apiErr.ErrorCode()
	if apiErr.HTTPStatus() >= http.StatusInternalServerError && cause != nil {
		rec.failure = cause.Error()
		return
	}
	rec.failure = apiErr.Error()
	var problem *Problem
	if errors.As(cause, &problem) && problem.Kind == InvalidToken {
		rec.failure += " (" + problem.Reason + ")"
	}
}

// NotePrincipal records the caller named by verified claims.
func (rec *RequestRecord) NotePrincipal(kind auth.PrincipalKind, subject string) {
	rec.principal = string(kind) + ":" + subject
}

// HandlerFailure is a strict-handler response that carries an expected failure (a vendor's
// 4xx answered by its handler); its code goes into the request's record.
type HandlerFailure interface {
	Failure() VendorError
}

// NoteHandlerFailures is a strict middleware: it records the error code of the expected
// failures that handlers answer with, which never reach the error handler.
func NoteHandlerFailures(f gen.StrictHandlerFunc, _ string) gen.StrictHandlerFunc {
	return func(c echo.Context, request any) (any, error) {
		response, err := f(c, request)
		if failed, ok := response.(HandlerFailure); ok {
			RecordOf(c.Request().Context()).noteFailure(failed.Failure(), nil)
		}
		return response, err
	}
}

// OperationIndex finds the operationId of the route Echo matched, from the spec, so that
// logs and metrics name operations and never raw paths (which would carry ids).
type OperationIndex map[string]string

func NewOperationIndex(spec *openapi3.T) OperationIndex {
	index := OperationIndex{}
	for path, item := range spec.Paths.Map() {
		// oapi-codegen registers {param} as Echo's :param.
		echoPath := strings.NewReplacer("{", ":", "}", "").Replace(path)
		for method, op := range item.Operations() {
			index[method+" "+echoPath] = specOperationID(op.OperationID)
		}
	}
	return index
}

// specOperationID undoes oapi-codegen's capitalization of operationIds in the embedded
// spec; TestSpecIsValid keeps the spec's own in lowerCamelCase.
func specOperationID(embedded string) string {
	if embedded == "" {
		return ""
	}
	return strings.ToLower(embedded[:1]) + embedded[1:]
}

// operation names the request's operation for logs and metrics: an operationId, an
// operational endpoint, or "unknown" for paths no route serves.
func (index OperationIndex) operation(c echo.Context) string {
	if name, ok := OperationalEndpoints[c.Path()]; ok {
		return name
	}
	if id, ok := index[c.Request().Method+" "+c.Path()]; ok {
		return id
	}
	return "unknown"
}

// ObserveRequests writes the one log line of each request and counts it in the metrics:
// request id, operation, principal, status, latency and error code — never a token, a
// secret, a query string or a body. Errors are answered here, through the error handler,
// so that the line carries the final status.
func ObserveRequests(logger *slog.Logger, metrics *HTTPMetrics, operations OperationIndex) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			rec := &RequestRecord{}
			c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), requestRecordKey{}, rec)))
			metrics.inFlight.Inc()
			defer metrics.inFlight.Dec()

			if err := next(c); err != nil {
				c.Error(err)
			}

			latency := time.Since(start)
			operation := operations.operation(c)
			status := c.Response().Status
			if rec.clientGone && !c.Response().Committed {
				status = statusClientClosedRequest
			}
			metrics.observe(operation, status, latency)

			r := c.Request()
			principal := rec.principal
			if claims := auth.PrincipalFrom(r.Context()); principal == "" && claims != nil {
				principal = string(claims.Kind) + ":" + claims.Subject
			}
			attrs := []slog.Attr{
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("operation", operation),
				slog.String("method", untrusted.Echoed(r.Method)),
				slog.String("path", untrusted.Echoed(r.URL.Path)),
				slog.String("principal", principal),
				slog.Int("status", status),
				slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
			}
			level := slog.LevelInfo
			switch {
			case status == statusClientClosedRequest:
				attrs = append(attrs, slog.String("reason", "the client went away: "+rec.failure))
			case status >= http.StatusInternalServerError:
				level = slog.LevelError
				attrs = append(attrs, slog.String("code", rec.errorCode), slog.String("error", rec.failure))
			case status >= http.StatusBadRequest:
				level = slog.LevelWarn
				attrs = append(attrs, slog.String("code", rec.errorCode), slog.String("reason", rec.failure))
			case OperationalEndpoints[c.Path()] != "":
				// Probes and scrapes come every few seconds: visible at debug level only.
				level = slog.LevelDebug
			}
			logger.LogAttrs(r.Context(), level, "request", attrs...)
			return nil
		}
	}
}

// RecoverPanics turns a panic into an error, which the error handler answers with a 500 in
// the vendor's shape; the panic is logged with the stack of the goroutine that panicked.
func RecoverPanics(logger *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		StackSize:       16 << 10,
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			logger.Error("panic",
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"path", untrusted.Echoed(c.Request().URL.Path),
				"error", err.Error(),
				"stack", string(stack))
			return err
		},
	})
}
