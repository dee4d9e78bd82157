package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// serveConfig is what `serve` reads beyond the shared config: HTTP timeouts, limits, the
// token endpoint and the identity provider.
type serveConfig struct {
	addr              string
	pprofAddr         string
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	requestTimeout    time.Duration
	shutdownTimeout   time.Duration
	drainDelay        time.Duration
	rateLimit         float64
	rateBurst         int
	tokenRateLimit    float64
	tokenRateBurst    int
	trustedProxies    string
	publicURL         string
	tokenTTL          time.Duration
	identityProvider  auth.IdentityProvider
	// generatedTokenSecret accepts, with PostgreSQL, a token secret generated into the data
	// directory, which no other instance shares.
	generatedTokenSecret bool
}

func registerServeFlags(cfg *config) *serveConfig {
	s := &serveConfig{}
	cfg.stringVar(&s.addr, "addr", "CUSTACCESS_ADDR", ":8080", "address to listen on")
	cfg.stringVar(&s.pprofAddr, "pprof-addr", "CUSTACCESS_PPROF_ADDR", "",
		"loopback address (127.0.0.1:6060) to serve net/http/pprof on, a listener of its own; empty: off")
	cfg.durationVar(&s.readHeaderTimeout, "read-header-timeout", "CUSTACCESS_READ_HEADER_TIMEOUT", 10*time.Second, "time to read a request's headers")
	cfg.durationVar(&s.readTimeout, "read-timeout", "CUSTACCESS_READ_TIMEOUT", 30*time.Second, "time to read a whole request")
	cfg.durationVar(&s.writeTimeout, "write-timeout", "CUSTACCESS_WRITE_TIMEOUT", 30*time.Second, "time from the end of a request's headers to the end of its response")
	cfg.durationVar(&s.idleTimeout, "idle-timeout", "CUSTACCESS_IDLE_TIMEOUT", 2*time.Minute, "how long an idle keep-alive connection is kept")
	cfg.durationVar(&s.requestTimeout, "request-timeout", "CUSTACCESS_REQUEST_TIMEOUT", 10*time.Second, "deadline of each request, its database queries included; past it the request fails with 503")
	cfg.durationVar(&s.shutdownTimeout, "shutdown-timeout", "CUSTACCESS_SHUTDOWN_TIMEOUT", 20*time.Second, "on SIGTERM or SIGINT, how long requests in flight may take to finish")
	cfg.durationVar(&s.drainDelay, "drain-delay", "CUSTACCESS_DRAIN_DELAY", 5*time.Second,
		"on SIGTERM or SIGINT, how long /readyz answers 503 while requests are still accepted, before the listener closes")
	cfg.float64Var(&s.rateLimit, "rate-limit", "CUSTACCESS_RATE_LIMIT", 50, "requests per second each principal may send to this instance; 0 turns the limit off")
	cfg.intVar(&s.rateBurst, "rate-burst", "CUSTACCESS_RATE_BURST", 100, "requests a principal may send at once above its rate")
	cfg.float64Var(&s.tokenRateLimit, "token-rate-limit", "CUSTACCESS_TOKEN_RATE_LIMIT", 1,
		"POST /oauth/token: requests per second each client id may send from one address, and failed client authentications per second of one address; 0 turns the limit off")
	cfg.intVar(&s.tokenRateBurst, "token-rate-burst", "CUSTACCESS_TOKEN_RATE_BURST", 10, "POST /oauth/token: requests (or failures) at once above that rate")
	cfg.stringVar(&s.trustedProxies, "trusted-proxies", "CUSTACCESS_TRUSTED_PROXIES", "",
		"comma-separated CIDRs of the load balancers whose X-Forwarded-For names the caller's address (and X-Forwarded-Proto the scheme); empty: the peer's address is the caller's")
	cfg.stringVar(&s.publicURL, "public-url", "CUSTACCESS_PUBLIC_URL", "",
		"scheme://host[:port] clients reach the service at, for the URLs in responses (Oracle's links and Location); empty: the request's scheme and Host")
	cfg.boolVar(&s.generatedTokenSecret, "generated-token-secret", "CUSTACCESS_GENERATED_TOKEN_SECRET", false,
		"with PostgreSQL and no token secret, generate one into the data directory: for a single instance only, as no other instance accepts its tokens")
	cfg.durationVar(&s.tokenTTL, "token-ttl", "CUSTACCESS_TOKEN_TTL", time.Hour, "lifetime of tokens issued by POST /oauth/token")
	p := &s.identityProvider
	cfg.stringVar(&p.JWKSURL, "jwks-url", "CUSTACCESS_JWKS_URL", "", "JWKS URL of an external identity provider whose RS256/ES256 tokens are accepted; empty accepts only built-in tokens")
	cfg.stringVar(&p.Issuer, "idp-issuer", "CUSTACCESS_IDP_ISSUER", "", "required iss of the identity provider's tokens")
	cfg.stringVar(&p.Audience, "idp-audience", "CUSTACCESS_IDP_AUDIENCE", "", "required aud of the identity provider's tokens")
	cfg.stringVar(&p.SubjectClaim, "idp-subject-claim", "CUSTACCESS_IDP_SUBJECT_CLAIM", "sub", "claim holding the user login or client id")
	cfg.stringVar(&p.ClientSubjectClaim, "idp-client-subject-claim", "CUSTACCESS_IDP_CLIENT_SUBJECT_CLAIM", "",
		"claim holding the client id in clients' tokens; empty: the subject claim")
	cfg.stringVar(&p.KindClaim, "idp-kind-claim", "CUSTACCESS_IDP_KIND_CLAIM", "principal_type", "claim telling users from clients")
	cfg.stringVar(&p.UserKind, "idp-user-kind", "CUSTACCESS_IDP_USER_KIND", "user", "value of the kind claim for users; * for every token not a client's")
	cfg.stringVar(&p.ClientKind, "idp-client-kind", "CUSTACCESS_IDP_CLIENT_KIND", "client", "value of the kind claim for clients; * for every token not a user's")
	cfg.stringVar(&p.ScopeClaim, "idp-scope-claim", "CUSTACCESS_IDP_SCOPE_CLAIM", "scope", "claim holding the scopes, a space-separated string or an array")
	cfg.stringVar(&p.TokenType, "idp-token-type", "CUSTACCESS_IDP_TOKEN_TYPE", "",
		"typ header the identity provider's access tokens must carry, such as at+jwt (RFC 9068); empty: any")
	return s
}

// serverConfig is the part of server.Config the settings decide; check has accepted them.
func (s *serveConfig) serverConfig() server.Config {
	proxies, _ := parseCIDRs(s.trustedProxies)
	publicURL, _ := server.ParsePublicURL(s.publicURL)
	cfg := server.Config{
		RequestTimeout: s.requestTimeout,
		RateLimit:      server.RateLimit{PerSecond: s.rateLimit, Burst: s.rateBurst},
		TokenRateLimit: server.RateLimit{PerSecond: s.tokenRateLimit, Burst: s.tokenRateBurst},
		TrustedProxies: proxies,
		PublicURL:      publicURL,
		TokenTTL:       s.tokenTTL,
	}
	if s.identityProvider.JWKSURL != "" {
		cfg.IdentityProvider = &s.identityProvider
	}
	return cfg
}

// parseCIDRs reads a comma-separated list of CIDRs (10.0.0.0/8) or single addresses.
func parseCIDRs(list string) ([]netip.Prefix, error) {
	var prefixes []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(item)
		if err != nil {
			addr, errAddr := netip.ParseAddr(item)
			if errAddr != nil {
				return nil, fmt.Errorf("trusted proxy %q: want a CIDR such as 10.0.0.0/8 or an address", item)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		prefixes = append(prefixes, prefix.Masked())
	}
	return prefixes, nil
}

// check refuses settings that cannot work. The write timeout must leave the request
// deadline room to answer with its 503.
func (s *serveConfig) check() error {
	for _, setting := range []struct {
		name  string
		value time.Duration
	}{
		{"read header timeout", s.readHeaderTimeout}, {"read timeout", s.readTimeout}, {"write timeout", s.writeTimeout},
		{"idle timeout", s.idleTimeout}, {"request timeout", s.requestTimeout}, {"shutdown timeout", s.shutdownTimeout},
		{"token TTL", s.tokenTTL},
	} {
		if setting.value <= 0 {
			return fmt.Errorf("the %s must be positive", setting.name)
		}
	}
	if s.rateLimit < 0 || s.rateBurst < 1 {
		return fmt.Errorf("the rate limit must be 0 (off) or positive, and its burst at least 1")
	}
	if s.tokenRateLimit < 0 || s.tokenRateBurst < 1 {
		return fmt.Errorf("the token endpoint's rate limit must be 0 (off) or positive, and its burst at least 1")
	}
	if _, err := parseCIDRs(s.trustedProxies); err != nil {
		return err
	}
	if err := checkPprofAddr(s.pprofAddr); err != nil {
		return err
	}
	if _, err := server.ParsePublicURL(s.publicURL); err != nil {
		return err
	}
	if s.requestTimeout >= s.writeTimeout {
		return fmt.Errorf("the request timeout (%s) must be shorter than the write timeout (%s)", s.requestTimeout, s.writeTimeout)
	}
	// Requests in flight at the signal may each take up to the request timeout.
	if s.shutdownTimeout < s.requestTimeout {
		return fmt.Errorf("the shutdown timeout (%s) must be at least the request timeout (%s)", s.shutdownTimeout, s.requestTimeout)
	}
	if s.drainDelay < 0 {
		return fmt.Errorf("the drain delay must not be negative")
	}
	return nil
}

// checkTokenSecret refuses to serve PostgreSQL, which several instances may share, with a
// token secret of this instance's own, unless asked to (or for the demo): the tokens one
// instance issues would be refused by the others.
func (s *serveConfig) checkTokenSecret(cfg *config, demo bool) error {
	if cfg.tokenSecret != "" || !store.IsPostgresURL(cfg.databaseURL) || demo || s.generatedTokenSecret {
		return nil
	}
	return errors.New("with PostgreSQL, set CUSTACCESS_TOKEN_SECRET (--token-secret), the same on every instance; " +
		"for a single instance, --generated-token-secret (CUSTACCESS_GENERATED_TOKEN_SECRET=true) generates one into the data directory")
}

// httpServer applies the timeouts; what net/http itself reports (a failed accept, a
// malformed request it refuses) goes to the structured log.
func (s *serveConfig) httpServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: s.readHeaderTimeout,
		ReadTimeout:       s.readTimeout,
		WriteTimeout:      s.writeTimeout,
		IdleTimeout:       s.idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
