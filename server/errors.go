package server

import (
	"errors"
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
		apiErr := toEgainError(err, r)
		attrs := []any{
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", r.Method, "path", r.URL.Path,
			"status", apiErr.code.status, "code", apiErr.code.code,
		}
		if apiErr.code.status >= http.StatusInternalServerError {
			logger.Error("request failed", append(attrs, "error", err.Error())...)
		} else {
			logger.Warn("request refused", append(attrs, "reason", apiErr.Error())...)
		}
		if r.Method == http.MethodHead {
			c.Response().WriteHeader(apiErr.code.status)
			return
		}
		if werr := writeEgainError(c.Response(), wantsUserMessage(r.Header), apiErr); werr != nil {
			logger.Error("writing error response failed", "error", werr.Error())
		}
	}
}

// toEgainError maps any error to an eGain catalogue entry; anything unforeseen is a 500-100.
func toEgainError(err error, r *http.Request) *egainError {
	var apiErr *egainError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var httpErr *echo.HTTPError
	if errors.As(err, &httpErr) {
		switch httpErr.Code {
		case http.StatusBadRequest:
			return newEgainError(errInvalidParameterValue, "request", httpErr.Message)
		case http.StatusNotFound:
			return newEgainError(errNoSuchResource, r.URL.Path)
		case http.StatusMethodNotAllowed:
			return newEgainError(errMethodNotAllowed, r.Method, r.URL.Path)
		case http.StatusRequestEntityTooLarge:
			return newEgainError(errBodyTooLarge, bodyLimit)
		case http.StatusUnsupportedMediaType:
			contentType := r.Header.Get("Content-Type")
			return newEgainError(errUnsupportedMediaType, contentType).with("Content-Type", contentType)
		}
	}
	return newEgainError(errSystem)
}
