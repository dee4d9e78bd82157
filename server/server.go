// Package server builds the service's HTTP handler: the shared pipeline's middlewares in
// their order, and the vendor APIs (each a package of its own) composed into one strict server.
package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/audit"
	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/oauth"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/reltio"
	"github.com/custaccess/custaccess/store"
)

// Config is what the server needs from its surroundings.
type Config struct {
	Store  *store.Store
	Tokens *auth.Tokens
	Logger *slog.Logger
	// RequestTimeout bounds each request, its database queries included; zero means
	// defaultRequestTimeout.
	RequestTimeout time.Duration
	// RateLimit bounds each principal's requests; the zero value does not limit.
	RateLimit RateLimit
	// TokenRateLimit bounds, at POST /oauth/token, the requests of each client id from one
	// address, and the failed client authentications of each address; the zero value
	// does not limit.
	TokenRateLimit RateLimit
	// TrustedProxies are the proxies (load balancers) whose X-Forwarded-For names the
	// caller's address and whose X-Forwarded-Proto the scheme; without them the peer's
	// address is the caller's.
	TrustedProxies []netip.Prefix
	// PublicURL, "scheme://host[:port]" from ParsePublicURL, is where clients reach the
	// service; the URLs in responses start with it. Empty: the request's scheme and Host.
	PublicURL string
	// IdentityProvider, when set, adds its tokens to the built-in ones.
	IdentityProvider *auth.IdentityProvider
	// TokenTTL is the lifetime of tokens from POST /oauth/token; zero means an hour.
	TokenTTL time.Duration
	// ShuttingDown, once closed, makes /readyz answer 503, so that load balancers send no
	// new requests while the instance drains before it stops; nil never closes.
	ShuttingDown <-chan struct{}
	// TokenSecretChecks bounds the client secret checks (bcrypt) running at once at
	// POST /oauth/token; nil means one per CPU. Tests set it to hold every slot.
	TokenSecretChecks *oauth.SecretChecks
}

// RateLimit bounds each principal's (or client id's) requests: a token bucket.
type RateLimit = httpapi.RateLimit

// ScopesFor lists, sorted, the scopes of every security scheme in the spec that accepts
// tokens of this kind of principal.
func ScopesFor(kind auth.PrincipalKind) ([]string, error) { return httpapi.ScopesFor(kind) }

// ScopesOffered is ScopesFor less audit.read for a principal that is not an auditor.
func ScopesOffered(kind auth.PrincipalKind, auditor bool) ([]string, error) {
	return httpapi.ScopesOffered(kind, auditor)
}

// ParsePublicURL checks a public URL ("scheme://host[:port]") and returns it canonical.
func ParsePublicURL(raw string) (string, error) { return httpapi.ParsePublicURL(raw) }

// GuardFraming prepares srv, serving New's handler, to refuse a request carrying both
// Content-Length and Transfer-Encoding (400, and its connection closed), and returns the
// listener to serve on: net/http hides such a request's Content-Length, so only the
// connection can tell.
func GuardFraming(srv *http.Server, l net.Listener) net.Listener { return httpapi.GuardFraming(srv, l) }

// api satisfies the generated strict interface by composing one service per vendor API,
// each in a package of its own.
type api struct {
	*egain.CustomerManager
	*reltio.CustomerRoles
	*oracle.SelfServiceRoles
	*oauth.TokenEndpoint
	*audit.Events
}

var _ gen.StrictServerInterface = (*api)(nil)

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

	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = httpapi.DefaultRequestTimeout
	}
	metrics := httpapi.NewHTTPMetrics(cfg.Store)
	limiter := httpapi.NewRateLimiter(cfg.RateLimit)
	tokens, err := auth.NewVerifier(cfg.Tokens, cfg.IdentityProvider, cfg.Logger)
	if err != nil {
		return nil, err
	}

	tokenEndpoint := oauth.New(oauth.Config{Store: cfg.Store, Tokens: cfg.Tokens, TTL: cfg.TokenTTL,
		RateLimit: cfg.TokenRateLimit, SecretChecks: cfg.TokenSecretChecks})
	// eGain's family also answers paths of no API. The token endpoint's counts the text
	// rule's refusals against the endpoint's limits.
	families := httpapi.NewFamilies(egain.Family{}, reltio.Family{}, oracle.Family{}, tokenEndpoint.Family(), audit.Family{})
	families.RegisterBodyDecoders()

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = httpapi.CallerAddress(cfg.TrustedProxies)
	e.SchemeExtractor = httpapi.RequestScheme(cfg.TrustedProxies)
	e.HTTPErrorHandler = httpapi.ErrorHandler(cfg.Logger, families)
	e.Use(httpapi.AssignRequestID)
	e.Use(httpapi.ObserveRequests(cfg.Logger, metrics, httpapi.NewOperationIndex(spec)))
	e.Use(httpapi.RecoverPanics(cfg.Logger))
	e.Use(httpapi.LimitRequestTime(cfg.RequestTimeout))
	// The body limit comes before validation, which reads the whole body.
	e.Use(httpapi.LimitBody())
	e.Use(httpapi.RememberOrigin(cfg.PublicURL))
	// Each API prepares its requests before validation (eGain negotiates format and locale,
	// so that its errors follow them).
	e.Use(httpapi.UnlessOperational(families.Prepare))
	// Before anything reads the body: nothing of an ambiguously framed request is used.
	e.Use(httpapi.RefuseAmbiguousFraming)
	e.Use(httpapi.UnlessOperational(httpapi.ValidateRequests(router, tokens, families)))
	e.Use(httpapi.UnlessOperational(httpapi.RequireCanonicalIntegers(spec)))
	e.Use(httpapi.UnlessOperational(httpapi.LimitRate(limiter)))

	httpapi.RegisterOperationalEndpoints(e, cfg.Store, metrics, cfg.ShuttingDown)
	handlers := &api{
		CustomerManager:  egain.New(cfg.Store),
		CustomerRoles:    reltio.New(cfg.Store),
		SelfServiceRoles: oracle.New(cfg.Store),
		TokenEndpoint:    tokenEndpoint,
		Events:           audit.New(cfg.Store),
	}
	gen.RegisterHandlers(e, gen.NewStrictHandler(handlers, []gen.StrictMiddlewareFunc{oauth.PassTokenRequestDetails, oracle.PassBatchRequest, httpapi.NoteHandlerFailures}))
	// Oracle's batch sends each part through the whole server.
	handlers.SelfServiceRoles.SendBatchPartsTo(e)
	if err := httpapi.RegisterDocs(e); err != nil {
		return nil, err
	}
	return e, nil
}
