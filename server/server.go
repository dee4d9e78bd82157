// Package server turns HTTP requests into business operations: Echo wiring, validation
// against the embedded OpenAPI spec, authentication, error mapping per vendor family, and
// one file per vendor API with its handlers and rules.
package server

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// bodyLimit bounds request bodies; a full grant request (76 customers) is under 3 KB.
const bodyLimit = "64K"

// Config is what the server needs from its surroundings.
type Config struct {
	Store  *store.Store
	Tokens *Tokens
	Logger *slog.Logger
}

// Server satisfies the generated strict interface by composing one service per vendor API.
type Server struct {
	*egainGrants
	*reltioCustomerRoles
	*oracleSelfServiceRoles
}

var _ gen.StrictServerInterface = (*Server)(nil)

// New builds the HTTP handler that `serve` runs and the tests drive.
func New(cfg Config) (*echo.Echo, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	router, err := gorillamux.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("route embedded spec: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	e.Use(middleware.RequestID())
	e.Use(requestLog(cfg.Logger))
	// Panics become errors, so errorHandler answers them with a 500 in the vendor's shape.
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, _ []byte) error {
			cfg.Logger.Error("panic", "error", err.Error(), "path", c.Request().URL.Path, "stack", string(debug.Stack()))
			return err
		},
	}))
	// The body limit comes before validation, which reads the whole body.
	e.Use(middleware.BodyLimit(bodyLimit))
	e.Use(rememberOrigin, keepQuerySemicolons)
	// eGain's format and locale are negotiated before validation, so its errors follow them.
	e.Use(negotiateEgain)
	e.Use(validateRequests(router, cfg.Tokens))

	server := &Server{
		egainGrants:            &egainGrants{store: cfg.Store},
		reltioCustomerRoles:    &reltioCustomerRoles{store: cfg.Store},
		oracleSelfServiceRoles: &oracleSelfServiceRoles{store: cfg.Store},
	}
	gen.RegisterHandlers(e, gen.NewStrictHandler(server, nil))
	if err := registerDocs(e); err != nil {
		return nil, err
	}
	return e, nil
}

// requestLog writes one line per request; never a token or a body.
func requestLog(logger *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:  true,
		LogMethod:    true,
		LogURIPath:   true,
		LogStatus:    true,
		LogLatency:   true,
		LogRequestID: true,
		LogValuesFunc: func(_ echo.Context, v middleware.RequestLoggerValues) error {
			logger.Info("request", "request_id", v.RequestID, "method", v.Method, "path", v.URIPath,
				"status", v.Status, "latency_ms", v.Latency.Milliseconds())
			return nil
		},
	})
}
