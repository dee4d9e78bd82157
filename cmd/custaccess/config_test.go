package main

import (
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
