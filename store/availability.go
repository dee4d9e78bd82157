package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3"
)

// ErrUnavailable means the database could not answer in time: it is down, unreachable,
// restarting, out of connections, busy with other writers (SQLite) or in conflict with other
// transactions past the retries (PostgreSQL), or the caller's deadline passed first. A transaction
// that meets it before COMMIT is rolled back (or never began) and wrote nothing; one that
// meets it at COMMIT (the connection lost while committing) may have been committed —
// whole, never in part.
var ErrUnavailable = errors.New("store: database unavailable")

// availability turns a failure to reach the database into ErrUnavailable, keeping the
// original error in the chain; a caller that gave up (its context canceled, as when an
// HTTP client goes away) gets context.Canceled in the chain instead, since the database
// is not at fault; any other error is returned as it is.
func availability(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("%w: %w", context.Canceled, err)
	}
	if !isUnavailable(ctx, err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func isUnavailable(ctx context.Context, err error) bool {
	// A context error of the store's own (the bound on COMMIT) counts as the database's.
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	// Network failures by their types, not by the net.Error interface: SQLite's errors have
	// its methods too, a constraint violation included.
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var connectErr *pgconn.ConnectError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, &connectErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	// SQLite's single writer was busy for longer than the busy timeout.
	if errors.Is(err, sqlite3.BUSY) || errors.Is(err, sqlite3.LOCKED) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is a connection exception; 57P01-57P03 a server shutting down, crashed or
		// starting; 53300 too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || slices.Contains([]string{"57P01", "57P02", "57P03", "53300"}, pgErr.Code)
	}
	return false
}

// Ping tells whether the database answers, within ctx's deadline. It asks on the probe's
// own connection, so a pool whose every connection is busy does not fail it.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.probe.DB()
	if err != nil {
		return err
	}
	return availability(ctx, sqlDB.PingContext(ctx))
}

// PoolStats reports the use of the connection pools, for metrics: on SQLite the readers'
// pool and the writer's connection added up, the writes' waits for their turn at the
// writer counted as waits for a connection.
func (s *Store) PoolStats() sql.DBStats {
	var total sql.DBStats
	for _, db := range s.pools() {
		sqlDB, err := db.DB()
		if err != nil {
			continue
		}
		stats := sqlDB.Stats()
		total.MaxOpenConnections += stats.MaxOpenConnections
		total.OpenConnections += stats.OpenConnections
		total.InUse += stats.InUse
		total.Idle += stats.Idle
		total.WaitCount += stats.WaitCount
		total.WaitDuration += stats.WaitDuration
		total.MaxIdleClosed += stats.MaxIdleClosed
		total.MaxIdleTimeClosed += stats.MaxIdleTimeClosed
		total.MaxLifetimeClosed += stats.MaxLifetimeClosed
	}
	if s.writeGroups != nil {
		total.WaitCount += s.writeGroups.waits.Load()
		total.WaitDuration += time.Duration(s.writeGroups.waited.Load())
	}
	return total
}
