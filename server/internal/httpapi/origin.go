package httpapi

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

type originKey struct{}

// RememberOrigin puts the scheme and host of the URLs the client should use into the
// request's context, for responses that carry absolute URLs (Oracle's ADF links and
// Location); strict handlers see only the context. A configured public URL wins: behind a
// load balancer the Host header is whatever the client sent, and it names no instance.
func RememberOrigin(publicURL string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			origin := publicURL
			if origin == "" {
				origin = c.Scheme() + "://" + r.Host
			}
			c.SetRequest(r.WithContext(context.WithValue(r.Context(), originKey{}, origin)))
			return next(c)
		}
	}
}

// OriginFrom returns "scheme://host" of the request in ctx.
func OriginFrom(ctx context.Context) string {
	origin, _ := ctx.Value(originKey{}).(string)
	return origin
}

// ParsePublicURL reads the URL clients reach the service at: http or https, a host, and
// nothing after it, since every link is built from the request's path. Empty stays empty:
// no public URL.
func ParsePublicURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("public URL %q: want http(s)://host[:port] only, such as https://api.example.com", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}
