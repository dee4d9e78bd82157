package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/custaccess/custaccess/server"
)

// serveConfig is what `serve` reads beyond the shared config: HTTP timeouts, limits, the
// token endpoint and the identity provider.
type serveConfig struct {
	addr              string
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	requestTimeout    time.Duration
	shutdownTimeout   time.Duration
	rateLimit         float64
	rateBurst         int
	tokenTTL          time.Duration
	identityProvider  server.IdentityProvider
}

func registerServeFlags(flags *flag.FlagSet, cfg *config) *serveConfig {
	s := &serveConfig{}
	flags.StringVar(&s.addr, "addr", envOr("CUSTACCESS_ADDR", ":8080"), "address to listen on (CUSTACCESS_ADDR)")
	flags.DurationVar(&s.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time to read a request's headers (CUSTACCESS_READ_HEADER_TIMEOUT)")
	cfg.fromEnv("read-header-timeout", "CUSTACCESS_READ_HEADER_TIMEOUT")
	flags.DurationVar(&s.readTimeout, "read-timeout", 30*time.Second, "time to read a whole request (CUSTACCESS_READ_TIMEOUT)")
	cfg.fromEnv("read-timeout", "CUSTACCESS_READ_TIMEOUT")
	flags.DurationVar(&s.writeTimeout, "write-timeout", 30*time.Second, "time from the end of a request's headers to the end of its response (CUSTACCESS_WRITE_TIMEOUT)")
	cfg.fromEnv("write-timeout", "CUSTACCESS_WRITE_TIMEOUT")
	flags.DurationVar(&s.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection is kept (CUSTACCESS_IDLE_TIMEOUT)")
	cfg.fromEnv("idle-timeout", "CUSTACCESS_IDLE_TIMEOUT")
	flags.DurationVar(&s.requestTimeout, "request-timeout", 10*time.Second, "deadline of each request, its database queries included; past it the request fails with 503 (CUSTACCESS_REQUEST_TIMEOUT)")
	cfg.fromEnv("request-timeout", "CUSTACCESS_REQUEST_TIMEOUT")
	flags.DurationVar(&s.shutdownTimeout, "shutdown-timeout", 20*time.Second, "on SIGTERM or SIGINT, how long requests in flight may take to finish (CUSTACCESS_SHUTDOWN_TIMEOUT)")
	cfg.fromEnv("shutdown-timeout", "CUSTACCESS_SHUTDOWN_TIMEOUT")
	flags.Float64Var(&s.rateLimit, "rate-limit", 50, "requests per second each principal may send to this instance; 0 turns the limit off (CUSTACCESS_RATE_LIMIT)")
	cfg.fromEnv("rate-limit", "CUSTACCESS_RATE_LIMIT")
	flags.IntVar(&s.rateBurst, "rate-burst", 100, "requests a principal may send at once above its rate (CUSTACCESS_RATE_BURST)")
	cfg.fromEnv("rate-burst", "CUSTACCESS_RATE_BURST")
	flags.DurationVar(&s.tokenTTL, "token-ttl", time.Hour, "lifetime of tokens issued by POST /oauth/token (CUSTACCESS_TOKEN_TTL)")
	cfg.fromEnv("token-ttl", "CUSTACCESS_TOKEN_TTL")
	p := &s.identityProvider
	flags.StringVar(&p.JWKSURL, "jwks-url", os.Getenv("CUSTACCESS_JWKS_URL"), "JWKS URL of an external identity provider whose RS256/ES256 tokens are accepted; empty accepts only built-in tokens (CUSTACCESS_JWKS_URL)")
	flags.StringVar(&p.Issuer, "idp-issuer", os.Getenv("CUSTACCESS_IDP_ISSUER"), "required iss of the identity provider's tokens (CUSTACCESS_IDP_ISSUER)")
	flags.StringVar(&p.Audience, "idp-audience", os.Getenv("CUSTACCESS_IDP_AUDIENCE"), "required aud of the identity provider's tokens (CUSTACCESS_IDP_AUDIENCE)")
	flags.StringVar(&p.SubjectClaim, "idp-subject-claim", envOr("CUSTACCESS_IDP_SUBJECT_CLAIM", "sub"), "claim holding the user login or client id (CUSTACCESS_IDP_SUBJECT_CLAIM)")
	flags.StringVar(&p.KindClaim, "idp-kind-claim", envOr("CUSTACCESS_IDP_KIND_CLAIM", "principal_type"), "claim telling users from clients (CUSTACCESS_IDP_KIND_CLAIM)")
	flags.StringVar(&p.UserKind, "idp-user-kind", envOr("CUSTACCESS_IDP_USER_KIND", "user"), "value of the kind claim for users; * for every token not a client's (CUSTACCESS_IDP_USER_KIND)")
	flags.StringVar(&p.ClientKind, "idp-client-kind", envOr("CUSTACCESS_IDP_CLIENT_KIND", "client"), "value of the kind claim for clients; * for every token not a user's (CUSTACCESS_IDP_CLIENT_KIND)")
	flags.StringVar(&p.ScopeClaim, "idp-scope-claim", envOr("CUSTACCESS_IDP_SCOPE_CLAIM", "scope"), "claim holding the scopes, a space-separated string or an array (CUSTACCESS_IDP_SCOPE_CLAIM)")
	return s
}

// serverConfig is the part of server.Config the settings decide.
func (s *serveConfig) serverConfig() server.Config {
	cfg := server.Config{
		RequestTimeout: s.requestTimeout,
		RateLimit:      server.RateLimit{PerSecond: s.rateLimit, Burst: s.rateBurst},
		TokenTTL:       s.tokenTTL,
	}
	if s.identityProvider.JWKSURL != "" {
		cfg.IdentityProvider = &s.identityProvider
	}
	return cfg
}

// check refuses settings that cannot work. The write timeout must leave the request
// deadline room to answer with its 503.
func (s *serveConfig) check() error {
	for name, d := range map[string]time.Duration{"read header timeout": s.readHeaderTimeout, "read timeout": s.readTimeout,
		"write timeout": s.writeTimeout, "idle timeout": s.idleTimeout, "request timeout": s.requestTimeout,
		"shutdown timeout": s.shutdownTimeout, "token TTL": s.tokenTTL} {
		if d <= 0 {
			return fmt.Errorf("the %s must be positive", name)
		}
	}
	if s.rateLimit < 0 || s.rateBurst < 1 {
		return fmt.Errorf("the rate limit must be 0 (off) or positive, and its burst at least 1")
	}
	if s.requestTimeout >= s.writeTimeout {
		return fmt.Errorf("the request timeout (%s) must be shorter than the write timeout (%s)", s.requestTimeout, s.writeTimeout)
	}
	return nil
}

// httpServer applies the timeouts.
func (s *serveConfig) httpServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: s.readHeaderTimeout,
		ReadTimeout:       s.readTimeout,
		WriteTimeout:      s.writeTimeout,
		IdleTimeout:       s.idleTimeout,
	}
}
