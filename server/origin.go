package server

import (
	"context"

	"github.com/labstack/echo/v4"
)

type originKey struct{}

// rememberOrigin puts the scheme and host the client used into the request's context, for
// responses that carry absolute URLs (Oracle's ADF links and Location). Strict handlers
// see only the context.
func rememberOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		origin := c.Scheme() + "://" + r.Host
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), originKey{}, origin)))
		return next(c)
	}
}

// originFrom returns "scheme://host" of the request in ctx.
func originFrom(ctx context.Context) string {
	origin, _ := ctx.Value(originKey{}).(string)
	return origin
}
