package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// TestUsageHidesSecrets: the token secret and the database password come from the
// environment, and usage (-h, a bad flag) prints defaults, never the environment's values.
func TestUsageHidesSecrets(t *testing.T) {
	const secret = "env-token-secret-0123456789abcdef0123"
	const password = "env-database-password-42"
	t.Setenv("CUSTACCESS_TOKEN_SECRET", secret)
	t.Setenv("DATABASE_URL", "postgres://custaccess:"+password+"@db.invalid:5432/custaccess")
	for _, args := range [][]string{
		{"serve", "--bogus"}, {"serve", "-h"}, {"migrate", "-h"}, {"seed", "--bogus"}, {"token", "-h"},
		{"serve", "--rate-limit", "many"},
	} {
		stdout, stderr, err := runCommand(t, args...)
		if err == nil {
			t.Errorf("%v: no error", args)
		}
		output := stdout + stderr
		if !strings.Contains(output, "-database-url") {
			t.Errorf("%v printed no usage: %q", args, output)
		}
		if strings.Contains(output, secret) || strings.Contains(output, password) {
			t.Errorf("%v printed the environment's secret or password:\n%s", args, output)
		}
	}
}

// TestPostgresNeedsASharedTokenSecret: serve refuses PostgreSQL without a token secret,
// since a generated one would be this instance's alone, unless --demo or
// --generated-token-secret says a single instance is meant.
func TestPostgresNeedsASharedTokenSecret(t *testing.T) {
	unreachable := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--db-wait", "1ms",
		"--database-url", "postgres://custaccess@127.0.0.1:1/custaccess?sslmode=disable"}
	refusal := "set CUSTACCESS_TOKEN_SECRET"
	if _, _, err := runCommand(t, unreachable...); err == nil || !strings.Contains(err.Error(), refusal) {
		t.Errorf("PostgreSQL without a token secret: %v, want a refusal", err)
	}
	for name, args := range map[string][]string{
		"--demo":                   {"--demo"},
		"--generated-token-secret": {"--generated-token-secret"},
		"--token-secret":           {"--token-secret", strings.Repeat("s", 32)},
	} {
		// Accepted: serve goes on to the database, which does not answer.
		if _, _, err := runCommand(t, append(unreachable, args...)...); err == nil || !strings.Contains(err.Error(), "database not reachable") {
			t.Errorf("%s: %v, want serve to go on to the database", name, err)
		}
	}
	t.Setenv("CUSTACCESS_GENERATED_TOKEN_SECRET", "true")
	if _, _, err := runCommand(t, unreachable...); err == nil || !strings.Contains(err.Error(), "database not reachable") {
		t.Errorf("CUSTACCESS_GENERATED_TOKEN_SECRET=true: %v, want serve to go on to the database", err)
	}
}

// TestHTTPServerErrorsAreStructured: what net/http logs by itself goes through slog.
func TestHTTPServerErrorsAreStructured(t *testing.T) {
	_, cfg := newFlags("serve", io.Discard)
	settings := registerServeFlags(cfg)
	var logs bytes.Buffer
	logger, err := cfg.newLogger(&logs)
	if err != nil {
		t.Fatal(err)
	}
	settings.httpServer(nil, logger).ErrorLog.Printf("http: Accept error: %s", "too many open files")
	var line struct{ Level, Msg string }
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line.Level != "WARN" || line.Msg != "http: Accept error: too many open files" {
		t.Errorf("net/http's log line %q: %+v, %v", logs.String(), line, err)
	}
}
