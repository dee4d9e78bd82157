package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/custaccess/custaccess/store"
)

// Retry delays while waiting for the database: doubling from the first to the last.
const (
	firstRetryDelay = 250 * time.Millisecond
	lastRetryDelay  = 5 * time.Second
	// maxAttemptTime bounds one attempt to reach the database: a server that accepts the
	// connection but never answers (a hung host) costs an attempt, not the whole wait.
	maxAttemptTime = 5 * time.Second
)

// waitForDatabase opens the store, retrying for up to wait while the database is
// unreachable (starting, restarting, hanging, not yet resolvable), with one log line per
// attempt. Errors that waiting cannot cure, such as a wrong password, end it at once, and
// so does ctx (a shutdown signal).
func waitForDatabase(ctx context.Context, opts store.Options, wait time.Duration, logger *slog.Logger) (*store.Store, error) {
	deadline := time.Now().Add(wait)
	delay := firstRetryDelay
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, max(min(time.Until(deadline), maxAttemptTime), 0))
		s, err := store.Open(attemptCtx, opts)
		cancel()
		if err == nil {
			if attempt > 1 {
				logger.Info("database reachable", "attempts", attempt)
			}
			return s, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for the database: %w", ctx.Err())
		}
		if !errors.Is(err, store.ErrUnavailable) {
			return nil, err
		}
		if time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("database not reachable after %d attempts in %s: %w", attempt, wait, err)
		}
		logger.Warn("waiting for the database", "attempt", attempt, "retry_in", delay.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the database: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, lastRetryDelay)
	}
}
