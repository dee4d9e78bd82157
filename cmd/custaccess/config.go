package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/store"
)

// config is what every command reads from flags, each defaulting to its environment variable.
type config struct {
	dataDir     string
	databaseURL string
	tokenSecret string
}

// newFlags starts a command's flag set with the flags every command shares.
func newFlags(command string) (*flag.FlagSet, *config) {
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	cfg := &config{}
	cfg.register(flags)
	return flags, cfg
}

func (c *config) register(flags *flag.FlagSet) {
	flags.StringVar(&c.dataDir, "data-dir", envOr("CUSTACCESS_DATA_DIR", "./data"), "directory of the SQLite file and the generated token secret (CUSTACCESS_DATA_DIR)")
	flags.StringVar(&c.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "postgres:// URL; empty uses the embedded SQLite (DATABASE_URL)")
	flags.StringVar(&c.tokenSecret, "token-secret", os.Getenv("CUSTACCESS_TOKEN_SECRET"), "HS256 secret of at least 32 bytes; empty generates one into the data directory (CUSTACCESS_TOKEN_SECRET)")
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// openStore opens the database and brings its schema up to date.
func (c *config) openStore(ctx context.Context) (*store.Store, []string, error) {
	s, err := store.Open(ctx, store.Options{DatabaseURL: c.databaseURL, DataDir: c.dataDir})
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
