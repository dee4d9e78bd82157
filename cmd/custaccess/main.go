// Command custaccess serves the three vendors' customer-access APIs, and manages its
// database: serve, migrate, seed FILE, token, healthcheck.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `usage: custaccess <command> [flags]

commands:
  serve [--demo]   run the HTTP service (migrations run first)
  migrate          apply the database migrations and exit
  seed FILE        load reference data from a YAML or JSON file
  token            print a bearer token: --user LOGIN | --client CLIENT_ID [--scope S] [--ttl 1h]
  healthcheck      exit 0 when the service on --addr answers /healthz (--path /readyz for readiness)

A flag not given takes its environment variable; "custaccess COMMAND -h" lists the flags.
Every command:
  CUSTACCESS_DATA_DIR (--data-dir, ./data)             SQLite file and generated token secret
  DATABASE_URL (--database-url, empty: SQLite)         postgres:// URL
  CUSTACCESS_TOKEN_SECRET (--token-secret, generated)  HS256 secret, 32+ bytes; the same on every instance
  CUSTACCESS_DB_WAIT (--db-wait, 1m)                   how long start-up waits for the database
  CUSTACCESS_MIGRATE_TIMEOUT (--migrate-timeout, 5m)   then, how long start-up's migrations may take (lock wait included)
  CUSTACCESS_LOG_FORMAT (--log-format, json)           json or text
  CUSTACCESS_LOG_LEVEL (--log-level, info)             debug, info, warn or error
serve:
  CUSTACCESS_ADDR (--addr, :8080)                      listen address (also healthcheck's)
  CUSTACCESS_GENERATED_TOKEN_SECRET (--generated-token-secret, false)
                                                       with PostgreSQL, serve without CUSTACCESS_TOKEN_SECRET (one instance only)
  CUSTACCESS_READ_HEADER_TIMEOUT (--read-header-timeout, 10s)
  CUSTACCESS_READ_TIMEOUT (--read-timeout, 30s)
  CUSTACCESS_WRITE_TIMEOUT (--write-timeout, 30s)
  CUSTACCESS_IDLE_TIMEOUT (--idle-timeout, 2m)
  CUSTACCESS_REQUEST_TIMEOUT (--request-timeout, 10s)  per-request deadline, queries included (503 past it)
  CUSTACCESS_DRAIN_DELAY (--drain-delay, 5s)           on SIGTERM/SIGINT, serving on with /readyz 503 before closing
  CUSTACCESS_SHUTDOWN_TIMEOUT (--shutdown-timeout, 20s) then, time for requests in flight (at least the request timeout)
  CUSTACCESS_RATE_LIMIT (--rate-limit, 50)             requests/s per principal and instance; 0: off
  CUSTACCESS_RATE_BURST (--rate-burst, 100)
  CUSTACCESS_TOKEN_RATE_LIMIT (--token-rate-limit, 1)  POST /oauth/token: requests/s per client id and address, failures/s per address
  CUSTACCESS_TOKEN_RATE_BURST (--token-rate-burst, 10)
  CUSTACCESS_TRUSTED_PROXIES (--trusted-proxies)       CIDRs of load balancers whose X-Forwarded-For/-Proto are believed
  CUSTACCESS_PUBLIC_URL (--public-url)                 scheme://host clients use, for URLs in responses (Oracle links)
  CUSTACCESS_PPROF_ADDR (--pprof-addr, empty: off)     loopback address for Go's profiles (/debug/pprof/), a listener of its own
  CUSTACCESS_TOKEN_TTL (--token-ttl, 1h)               lifetime of POST /oauth/token's tokens
  CUSTACCESS_JWKS_URL (--jwks-url, empty: none)        identity provider's keys (RS256/ES256 tokens)
  CUSTACCESS_IDP_ISSUER (--idp-issuer)                 its tokens' required iss
  CUSTACCESS_IDP_AUDIENCE (--idp-audience)             its tokens' required aud
  CUSTACCESS_IDP_SUBJECT_CLAIM (--idp-subject-claim, sub)
  CUSTACCESS_IDP_CLIENT_SUBJECT_CLAIM (--idp-client-subject-claim, empty: the subject claim)
  CUSTACCESS_IDP_KIND_CLAIM (--idp-kind-claim, principal_type)
  CUSTACCESS_IDP_USER_KIND (--idp-user-kind, user)     * : every token not a client's
  CUSTACCESS_IDP_CLIENT_KIND (--idp-client-kind, client)
  CUSTACCESS_IDP_SCOPE_CLAIM (--idp-scope-claim, scope)
  CUSTACCESS_IDP_TOKEN_TYPE (--idp-token-type, empty: any)  required typ header, such as at+jwt
`

func main() {
	ctx, stop := withShutdownSignals(context.Background())
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "custaccess:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	command, args := args[0], args[1:]
	switch command {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, stderr)
	case "seed":
		return seed(ctx, args, stderr)
	case "token":
		return token(ctx, args, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", command)
}
