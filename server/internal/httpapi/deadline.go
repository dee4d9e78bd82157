package httpapi

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
)

// DefaultRequestTimeout bounds a request when the configuration names no bound.
const DefaultRequestTimeout = 10 * time.Second

// LimitRequestTime gives each request a deadline in its context, which every database query
// and identity-provider fetch of the request obeys: a request never hangs past it, and one
// whose database does not answer in time fails with 503.
func LimitRequestTime(timeout time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}
