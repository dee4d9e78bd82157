package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ErrorHandler is the one place where an error that reached Echo (from validation, auth,
// routing, the body limit, a handler or a recovered panic) becomes a response in the
// vendor's error shape. It never writes twice. The request's log line (observeRequests)
// reports the error code and cause: 5xx as errors, 4xx as warnings.
func ErrorHandler(logger *slog.Logger, families *Families) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		r := c.Request()
		if clientGone(r, err) {
			// Nobody reads an answer, and neither the database nor the service failed.
			RecordOf(r.Context()).noteClientGone(err)
			return
		}
		apiErr := families.ToVendorError(err, r)
		RecordOf(r.Context()).noteFailure(apiErr, err)
		if c.Response().Committed {
			return
		}
		if r.Method == http.MethodHead {
			c.Response().WriteHeader(apiErr.HTTPStatus())
			return
		}
		if werr := apiErr.WriteResponse(c.Response(), r); werr != nil {
			logger.Error("writing error response failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", werr.Error())
		}
	}
}

// clientGone tells whether err comes from the client's going away (its request's context
// canceled, not past its deadline).
func clientGone(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(r.Context().Err(), context.Canceled)
}
