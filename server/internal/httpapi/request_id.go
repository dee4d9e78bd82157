package httpapi

import (
	"crypto/rand"

	"github.com/labstack/echo/v4"
)

// maxRequestIDLength bounds a caller's X-Request-Id, which goes into every log line.
const maxRequestIDLength = 64

// AssignRequestID gives each request an id, answered in X-Request-Id and logged: the
// caller's own when it is a plain token (at most 64 letters, digits, '.', '_', '-'), else a
// new one, so that a caller cannot forge log content or flood the log with its header.
func AssignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = rand.Text()
		}
		c.Request().Header.Set(echo.HeaderXRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
