package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/custaccess/custaccess/store"
)

// OperationalEndpoints are served outside the vendor APIs: no token, no OpenAPI
// validation, no rate limit. Each maps to the name logs and metrics give it.
var OperationalEndpoints = map[string]string{
	"/healthz": "healthz",
	"/readyz":  "readyz",
	"/metrics": "metrics",
	// The contract and the interactive reference (docs.go).
	"/openapi.yaml":              "openapi",
	"/openapi.json":              "openapi",
	"/docs":                      "docs",
	"/docs/":                     "docs",
	"/docs/docs.js":              "docs",
	"/docs/swagger-ui-bundle.js": "docs",
	"/docs/swagger-ui.css":       "docs",
}

// readinessTimeout bounds the database check of /readyz, so that a load balancer's probe
// gets its answer quickly while the database hangs.
const readinessTimeout = 2 * time.Second

// RegisterOperationalEndpoints adds /healthz, /readyz and /metrics.
func RegisterOperationalEndpoints(e *echo.Echo, db *store.Store, metrics *HTTPMetrics, shuttingDown <-chan struct{}) {
	// The process is alive: it answers.
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	// Ready to serve: not shutting down, the database answers and every migration of this
	// release is applied.
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), readinessTimeout)
		defer cancel()
		if reason := notReady(ctx, db, shuttingDown); reason != "" {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(metrics.registry, promhttp.HandlerOpts{})))
}

// notReady says why the instance should not get traffic, or "" when it should. The store
// asks the database on a connection kept apart from the requests' pool, so a pool busy with
// slow requests is not taken for an outage (which every instance would report at once).
func notReady(ctx context.Context, db *store.Store, shuttingDown <-chan struct{}) string {
	select {
	case <-shuttingDown:
		return "shutting down"
	default:
	}
	if db == nil {
		return "no database"
	}
	if err := db.Ping(ctx); err != nil {
		return "database unreachable"
	}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return "migrations unknown"
	}
	if len(pending) > 0 {
		return "migrations pending: " + strings.Join(pending, ", ")
	}
	return ""
}

// UnlessOperational applies a middleware to every route but the operational endpoints.
func UnlessOperational(mw echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		withMiddleware := mw(next)
		return func(c echo.Context) error {
			if _, ok := OperationalEndpoints[c.Path()]; ok {
				return next(c)
			}
			return withMiddleware(c)
		}
	}
}
