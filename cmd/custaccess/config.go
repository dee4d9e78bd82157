package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// config is what every command reads from flags, each falling back to its environment variable.
type config struct {
	dataDir     string
	databaseURL string
	tokenSecret string
	logFormat   string
	logLevel    string
	dbWait      time.Duration
	// migrateTimeout bounds the migrations at start-up, the wait for another instance's
	// migration lock included.
	migrateTimeout time.Duration

	flags *flag.FlagSet
	// envOf names the environment variable of each flag registered through config.
	envOf map[string]string
}

// newFlags starts a command's flag set with the flags every command shares; usage and
// flag errors go to output.
func newFlags(command string, output io.Writer) (*flag.FlagSet, *config) {
	flags, cfg := newBareFlags(command, output)
	cfg.register()
	return flags, cfg
}

// newBareFlags starts a command's flag set without the shared flags.
func newBareFlags(command string, output io.Writer) (*flag.FlagSet, *config) {
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	flags.SetOutput(output)
	return flags, &config{flags: flags, envOf: map[string]string{}}
}

func (c *config) register() {
	c.stringVar(&c.dataDir, "data-dir", "CUSTACCESS_DATA_DIR", "./data", "directory of the SQLite file and the generated token secret")
	c.stringVar(&c.databaseURL, "database-url", "DATABASE_URL", "", "postgres:// URL; empty uses the embedded SQLite")
	c.stringVar(&c.tokenSecret, "token-secret", "CUSTACCESS_TOKEN_SECRET", "", "HS256 secret of at least 32 bytes; empty generates one into the data directory")
	c.stringVar(&c.logFormat, "log-format", "CUSTACCESS_LOG_FORMAT", "json", "log format: json or text")
	c.stringVar(&c.logLevel, "log-level", "CUSTACCESS_LOG_LEVEL", "info", "least level logged: debug, info, warn or error")
	c.durationVar(&c.dbWait, "db-wait", "CUSTACCESS_DB_WAIT", time.Minute, "how long start-up waits for the database to answer")
	c.durationVar(&c.migrateTimeout, "migrate-timeout", "CUSTACCESS_MIGRATE_TIMEOUT", 5*time.Minute,
		"how long start-up's migrations may take, waiting for another instance's migration lock included")
}

// The flag registrations below take the built-in default, never the environment's value:
// usage and flag errors print defaults, and the environment may hold secrets (the token
// secret, the database password). parse applies the environment.

func (c *config) stringVar(p *string, name, env, value, usage string) {
	c.flags.StringVar(p, name, value, usage+" ("+env+")")
	c.envOf[name] = env
}

func (c *config) durationVar(p *time.Duration, name, env string, value time.Duration, usage string) {
	c.flags.DurationVar(p, name, value, usage+" ("+env+")")
	c.envOf[name] = env
}

func (c *config) float64Var(p *float64, name, env string, value float64, usage string) {
	c.flags.Float64Var(p, name, value, usage+" ("+env+")")
	c.envOf[name] = env
}

func (c *config) intVar(p *int, name, env string, value int, usage string) {
	c.flags.IntVar(p, name, value, usage+" ("+env+")")
	c.envOf[name] = env
}

func (c *config) boolVar(p *bool, name, env string, value bool, usage string) {
	c.flags.BoolVar(p, name, value, usage+" ("+env+")")
	c.envOf[name] = env
}

// parse applies the environment variables of the flags, then the command line, so that a
// flag beats its variable. A variable's error names the variable, never its value's source.
func (c *config) parse(args []string) error {
	names := make([]string, 0, len(c.envOf))
	for name := range c.envOf {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		env := c.envOf[name]
		if v := os.Getenv(env); v != "" {
			if err := c.flags.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	return c.flags.Parse(args)
}

// newLogger writes structured logs to w, as JSON or text.
func (c *config) newLogger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", c.logLevel)
	}
	options := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, options)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, options)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", c.logFormat)
}

// openStore opens the database, waiting for it when it does not answer yet, and brings
// its schema up to date within the migrate timeout: a database that hangs, or another
// instance that holds the migration lock, ends start-up with an error instead of stalling
// it without a word.
func (c *config) openStore(ctx context.Context, logger *slog.Logger) (*store.Store, []string, error) {
	if c.migrateTimeout <= 0 {
		return nil, nil, errors.New("the migrate timeout must be positive")
	}
	s, err := waitForDatabase(ctx, store.Options{DatabaseURL: c.databaseURL, DataDir: c.dataDir}, c.dbWait, logger)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("applying migrations", "timeout", c.migrateTimeout.String())
	migrateCtx, cancel := context.WithTimeout(ctx, c.migrateTimeout)
	defer cancel()
	applied, err := s.MigrateReporting(migrateCtx, func() {
		logger.Warn("waiting for the migration lock: another instance is migrating this database", "timeout", c.migrateTimeout.String())
	})
	if err != nil {
		_ = s.Close()
		if ctx.Err() == nil && errors.Is(migrateCtx.Err(), context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("migrations not done after %s (--migrate-timeout, CUSTACCESS_MIGRATE_TIMEOUT): %w", c.migrateTimeout, err)
		}
		return nil, nil, err
	}
	return s, applied, nil
}

// tokenSecretFile keeps the generated secret, so serve and token agree across runs.
const tokenSecretFile = "token-secret"

// tokens returns the token signer: the configured secret, or the one generated once into
// the data directory.
func (c *config) tokens() (*auth.Tokens, error) {
	if c.tokenSecret != "" {
		return auth.NewTokens([]byte(c.tokenSecret))
	}
	path := filepath.Join(c.dataDir, tokenSecretFile)
	secret, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret, err = createSecret(c.dataDir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return auth.NewTokens([]byte(strings.TrimSpace(string(secret))))
}

// createSecret writes a new random secret; when another process wrote one first, that one wins.
func createSecret(dir, path string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(random))
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	if _, err := file.Write(secret); err != nil {
		return nil, err
	}
	return secret, file.Sync()
}
