package server

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// errorHandler is the one place where an error that reached Echo (from validation, auth,
// routing, the body limit, a handler or a recovered panic) becomes a response in the
// vendor's error shape. It never writes twice; 5xx are logged as errors, 4xx as warnings.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		r := c.Request()
		apiErr := toVendorError(err, r)
		attrs := []any{
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", r.Method, "path", r.URL.Path,
			"status", apiErr.httpStatus(), "code", apiErr.errorCode(),
		}
		if apiErr.httpStatus() >= http.StatusInternalServerError {
			logger.Error("request failed", append(attrs, "error", err.Error())...)
		} else {
			logger.Warn("request refused", append(attrs, "reason", apiErr.Error())...)
		}
		if r.Method == http.MethodHead {
			c.Response().WriteHeader(apiErr.httpStatus())
			return
		}
		if werr := apiErr.writeResponse(c.Response(), r); werr != nil {
			logger.Error("writing error response failed", "error", werr.Error())
		}
	}
}
