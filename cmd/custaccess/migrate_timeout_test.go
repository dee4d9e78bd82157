package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestStartupMigrationsAreBounded plays another instance holding the migration lock of a
// fresh PostgreSQL database: serve logs that it waits for the lock and gives up after
// --migrate-timeout with an error saying so; once the lock is let go, a waiting start-up
// goes on. Only PostgreSQL has the lock.
func TestStartupMigrationsAreBounded(t *testing.T) {
	storetest.Dialects(t) // with CI=true, fails without TEST_DATABASE_URL
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("the migration lock is PostgreSQL's: set TEST_DATABASE_URL")
	}
	opts := storetest.Options(t, store.Postgres)
	args := []string{"--database-url", opts.DatabaseURL, "--data-dir", t.TempDir()}
	release := storetest.HoldMigrationLock(t, opts)

	const timeout = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	served := make(chan error, 1)
	start := time.Now()
	go func() {
		served <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--generated-token-secret", "--drain-delay", "0s",
			"--migrate-timeout", timeout.String()}, args...), io.Discard, &logs)
	}()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "migrations not done after 1s") || !strings.Contains(err.Error(), "migration lock") {
			t.Errorf("serve with the migration lock held elsewhere: %v, want it to give up on the lock", err)
		}
		// The database answers at once: only the lock can have held serve that long.
		if elapsed := time.Since(start); elapsed < timeout {
			t.Errorf("serve gave up after %v, --migrate-timeout %v", elapsed, timeout)
		}
	case <-time.After(timeout + 30*time.Second):
		cancel()
		<-served
		t.Fatalf("serve still starting 30s past its --migrate-timeout of %v; log: %s", timeout, logs.String())
	}
	for _, line := range []string{"applying migrations", "waiting for the migration lock"} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("no %q in the log: %s", line, logs.String())
		}
	}

	// A start-up waiting on the lock goes on once the other instance lets it go.
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), append([]string{"migrate", "--migrate-timeout", "60s"}, args...), io.Discard, &stderr)
	}()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(stderr.String(), "waiting for the migration lock"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("migrate does not wait for the lock: %s", stderr.String())
		}
	}
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("migrate once the lock was let go: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("migrate did not go on once the lock was let go")
	}
	if !strings.Contains(stderr.String(), "migrations applied") {
		t.Errorf("log: %s", stderr.String())
	}
}
