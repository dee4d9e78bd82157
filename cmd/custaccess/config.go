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
	"strings"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/store"
)

// config is what every command reads from flags, each defaulting to its environment variable.
type config struct {
	dataDir     string
	databaseURL string
	tokenSecret string
	logFormat   string
	logLevel    string
	dbWait      time.Duration

	flags *flag.FlagSet
	// envOf names the environment variable of each flag registered with fromEnv.
	envOf map[string]string
}

// newFlags starts a command's flag set with the flags every command shares.
func newFlags(command string) (*flag.FlagSet, *config) {
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	cfg := &config{flags: flags, envOf: map[string]string{}}
	cfg.register(flags)
	return flags, cfg
}

func (c *config) register(flags *flag.FlagSet) {
	flags.StringVar(&c.dataDir, "data-dir", envOr("CUSTACCESS_DATA_DIR", "./data"), "directory of the SQLite file and the generated token secret (CUSTACCESS_DATA_DIR)")
	flags.StringVar(&c.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "postgres:// URL; empty uses the embedded SQLite (DATABASE_URL)")
	flags.StringVar(&c.tokenSecret, "token-secret", os.Getenv("CUSTACCESS_TOKEN_SECRET"), "HS256 secret of at least 32 bytes; empty generates one into the data directory (CUSTACCESS_TOKEN_SECRET)")
	flags.StringVar(&c.logFormat, "log-format", envOr("CUSTACCESS_LOG_FORMAT", "json"), "log format: json or text (CUSTACCESS_LOG_FORMAT)")
	flags.StringVar(&c.logLevel, "log-level", envOr("CUSTACCESS_LOG_LEVEL", "info"), "least level logged: debug, info, warn or error (CUSTACCESS_LOG_LEVEL)")
	flags.DurationVar(&c.dbWait, "db-wait", time.Minute, "how long start-up waits for the database to answer (CUSTACCESS_DB_WAIT)")
	c.fromEnv("db-wait", "CUSTACCESS_DB_WAIT")
}

// fromEnv lets the environment variable env override the default of the flag name, for
// flags that are not strings: parse checks its value as it checks the flag's.
func (c *config) fromEnv(name, env string) {
	c.envOf[name] = env
}

// parse applies the environment variables of the flags registered with fromEnv, then the
// command line.
func (c *config) parse(args []string) error {
	for name, env := range c.envOf {
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

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// openStore opens the database, waiting for it when it does not answer yet, and brings
// its schema up to date.
func (c *config) openStore(ctx context.Context, logger *slog.Logger) (*store.Store, []string, error) {
	s, err := waitForDatabase(ctx, store.Options{DatabaseURL: c.databaseURL, DataDir: c.dataDir}, c.dbWait, logger)
	if err != nil {
		return nil, nil, err
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		_ = s.Close()
		return nil, nil, err
	}
	return s, applied, nil
}

// tokenSecretFile keeps the generated secret, so serve and token agree across runs.
const tokenSecretFile = "token-secret"

// tokens returns the token signer: the configured secret, or the one generated once into
// the data directory.
func (c *config) tokens() (*server.Tokens, error) {
	if c.tokenSecret != "" {
		return server.NewTokens([]byte(c.tokenSecret))
	}
	path := filepath.Join(c.dataDir, tokenSecretFile)
	secret, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret, err = createSecret(c.dataDir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return server.NewTokens([]byte(strings.TrimSpace(string(secret))))
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
