package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

//go:embed demo.yaml
var demoFixture []byte

// demoUser is the demo dataset's user whose token `serve --demo` prints.
const demoUser = "alice"

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, cfg := newFlags("serve", stderr)
	settings := registerServeFlags(cfg)
	demo := flags.Bool("demo", false, "load the demo dataset into an empty database and print a ready token")
	if err := cfg.parse(args); err != nil {
		return err
	}
	if err := settings.check(); err != nil {
		return err
	}
	if err := settings.checkTokenSecret(cfg, *demo); err != nil {
		return err
	}
	logger, err := cfg.newLogger(stderr)
	if err != nil {
		return err
	}
	db, applied, err := cfg.openStore(ctx, logger)
	if err != nil {
		return err
	}
	defer closeStore(db, logger)
	logger.Info("database ready", "dialect", db.Dialect(), "migrations_applied", applied)
	tokens, err := cfg.tokens()
	if err != nil {
		return err
	}
	if cfg.tokenSecret == "" && db.Dialect() == store.Postgres {
		logger.Warn("the token secret was generated into the data directory: run no other instance on this database, or its tokens and this one's are refused by each other")
	}
	if *demo {
		if err := loadDemo(ctx, db, logger); err != nil {
			return err
		}
	}
	serverConfig := settings.serverConfig()
	serverConfig.Store, serverConfig.Tokens, serverConfig.Logger = db, tokens, logger
	serverConfig.ShuttingDown = ctx.Done()
	handler, err := server.New(serverConfig)
	if err != nil {
		return err
	}
	if idp := serverConfig.IdentityProvider; idp != nil {
		logger.Info("identity provider configured", "jwks_url", idp.JWKSURL, "issuer", idp.Issuer, "audience", idp.Audience)
	}
	listener, err := net.Listen("tcp", settings.addr)
	if err != nil {
		return err
	}
	if *demo {
		if err := printDemoInstructions(ctx, stdout, db, tokens, listener.Addr().String()); err != nil {
			return err
		}
	}
	if settings.pprofAddr != "" {
		stopPprof, err := servePprof(settings.pprofAddr, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	httpServer := settings.httpServer(handler, logger)
	return serveUntilDone(ctx, httpServer, server.GuardFraming(httpServer, listener), settings.drainDelay, settings.shutdownTimeout, logger)
}

func loadDemo(ctx context.Context, db *store.Store, logger *slog.Logger) error {
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		logger.Info("database holds data already; demo dataset not loaded")
		return nil
	}
	fixture, err := store.ParseFixture(demoFixture)
	if err != nil {
		return err
	}
	if err := db.LoadFixture(ctx, fixture); err != nil {
		return fmt.Errorf("load demo dataset: %w", err)
	}
	logger.Info("demo dataset loaded")
	return nil
}

func printDemoInstructions(ctx context.Context, stdout io.Writer, db *store.Store, tokens *auth.Tokens, listenAddr string) error {
	token, err := issueToken(ctx, db, tokens, auth.PrincipalUser, demoUser, nil, 24*time.Hour)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(stdout, "demo user %q is not in the database; create a token with `custaccess token`\n", demoUser)
		return nil
	}
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(listenAddr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	fmt.Fprintf(stdout, `custaccess demo is listening on %s

A token for the demo user %q (valid 24h):
export TOKEN=%s

Create a grant:
curl -i -X POST %s/core/customermgr/v3/customer/grant \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002"},{"id":"1020"}]}}'

`, base, demoUser, token, base)
	return nil
}

func migrate(ctx context.Context, args []string, stderr io.Writer) error {
	_, cfg := newFlags("migrate", stderr)
	if err := cfg.parse(args); err != nil {
		return err
	}
	logger, err := cfg.newLogger(stderr)
	if err != nil {
		return err
	}
	db, applied, err := cfg.openStore(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	logger.Info("migrations applied", "dialect", db.Dialect(), "applied", applied)
	return nil
}

func seed(ctx context.Context, args []string, stderr io.Writer) error {
	flags, cfg := newFlags("seed", stderr)
	if err := cfg.parse(args); err != nil {
		return err
	}
	logger, err := cfg.newLogger(stderr)
	if err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return errors.New("seed takes exactly one FILE (YAML or JSON)")
	}
	data, err := os.ReadFile(flags.Arg(0))
	if err != nil {
		return err
	}
	fixture, err := store.ParseFixture(data)
	if err != nil {
		return fmt.Errorf("%s: %w", flags.Arg(0), err)
	}
	db, _, err := cfg.openStore(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.LoadFixture(ctx, fixture); err != nil {
		return fmt.Errorf("%s: %w", flags.Arg(0), err)
	}
	logger.Info("seed file loaded", "file", flags.Arg(0))
	return nil
}

func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, cfg := newFlags("token", stderr)
	user := flags.String("user", "", "login of the user the token is for")
	client := flags.String("client", "", "client id of the client application the token is for")
	scope := flags.String("scope", "", "space- or comma-separated scopes (default: every scope of the principal's kind)")
	ttl := flags.Duration("ttl", time.Hour, "how long the token is valid")
	if err := cfg.parse(args); err != nil {
		return err
	}
	logger, err := cfg.newLogger(stderr)
	if err != nil {
		return err
	}
	if (*user == "") == (*client == "") {
		return errors.New("token needs exactly one of --user LOGIN or --client CLIENT_ID")
	}
	if *ttl <= 0 {
		return errors.New("--ttl must be positive")
	}
	kind, subject := auth.PrincipalUser, *user
	if *client != "" {
		kind, subject = auth.PrincipalClient, *client
	}
	scopes := strings.FieldsFunc(*scope, func(r rune) bool { return r == ' ' || r == ',' })
	db, _, err := cfg.openStore(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := cfg.tokens()
	if err != nil {
		return err
	}
	signed, err := issueToken(ctx, db, tokens, kind, subject, scopes, *ttl)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no %s %q in the database", kind, subject)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, signed)
	return nil
}

// issueToken signs a token for a principal that exists in the database. Without scopes the
// token carries every scope its kind of principal can use; named scopes must be among those.
func issueToken(ctx context.Context, db *store.Store, tokens *auth.Tokens, kind auth.PrincipalKind, subject string, scopes []string, ttl time.Duration) (string, error) {
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		if kind == auth.PrincipalUser {
			_, err = tx.UserByLogin(subject)
		} else {
			_, err = tx.ClientByClientID(subject)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	available, err := server.ScopesFor(kind)
	if err != nil {
		return "", err
	}
	for _, s := range scopes {
		if !slices.Contains(available, s) {
			return "", fmt.Errorf("scope %q is not one a %s can hold (%s)", s, kind, strings.Join(available, ", "))
		}
	}
	if len(scopes) == 0 {
		scopes = available
	}
	return tokens.Issue(kind, subject, scopes, ttl)
}
