package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// commitTimeout bounds COMMIT, which runs past the caller's deadline: a deadline that cut
// COMMIT off would leave the outcome unknown (the server may have committed) while the
// caller is told the database failed.
var commitTimeout = 5 * time.Second

// inTransaction runs fn in one transaction. Its statements follow ctx: past ctx's deadline
// they fail and the transaction is rolled back, having written nothing. Once fn is done,
// COMMIT no longer follows ctx but only commitTimeout, so that a deadline passing at that
// moment cannot cut it off. Only a database failing during COMMIT (or taking longer than
// commitTimeout) leaves the outcome unknown: then the transaction was applied whole or
// not at all, and the error is ErrUnavailable.
//
// PostgreSQL may abort a transaction to break a deadlock or a serialization conflict with
// another one; it then wrote nothing, and it is run again, up to conflictAttempts times in
// all, so fn must not change anything outside the transaction but the results it assigns.
// Each attempt after the first waits a little first (pauseBeforeRerun). A conflict left
// after the last attempt, or ctx ending meanwhile, is ErrUnavailable: nothing was written.
//
// Within SharedTransaction's fn, fn joins the shared transaction instead (see there): a
// conflict fn meets there is returned to fn's caller as it is and, whatever the caller makes
// of it, ends the shared transaction's attempt, which is then run again whole, the same way.
//
// On SQLite a write runs as one of a group of writes sharing a transaction, in a savepoint
// of its own (see writeGroups): its statements then do not stop at ctx's end, but its work
// is rolled back when ctx has ended by the time fn is done.
func (s *Store) inTransaction(ctx context.Context, options *sql.TxOptions, fn func(tx *Tx) error) error {
	if joined, err := s.joinShared(ctx, fn); joined {
		return err
	}
	if s.writeGroups != nil && options == nil {
		return s.writeGroups.run(ctx, s.dialect, fn)
	}
	for attempt := 1; ; attempt++ {
		err := s.attemptTransaction(ctx, options, fn)
		if !isConflict(err) {
			return err
		}
		if attempt == conflictAttempts || !pauseBeforeRerun(ctx, attempt) {
			return fmt.Errorf("%w: %d attempts in conflict with other transactions: %w", ErrUnavailable, attempt, err)
		}
	}
}

// conflictAttempts bounds the runs of a transaction that keeps meeting conflicts.
const conflictAttempts = 3

// conflictPause is the least pause before the second attempt; it doubles at each attempt,
// and a random part as long again spreads the attempts of transactions that conflicted.
const conflictPause = 10 * time.Millisecond

// pauseBeforeRerun waits a little before attempt+1, and tells whether ctx still allows it.
// Run again at once, the aborted transaction often takes the lock the one that won was
// waiting for, before the winner's process (just woken) gets to it: they then deadlock
// again, and on a busy machine again, until the attempts are spent.
func pauseBeforeRerun(ctx context.Context, attempt int) bool {
	pause := conflictPause << (attempt - 1)
	timer := time.NewTimer(pause + rand.N(pause))
	defer timer.Stop()
	select {
	case <-timer.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// isConflict tells a transaction PostgreSQL aborted for another's sake: a deadlock (40P01)
// or a serialization failure (40001). Either rolled the whole transaction back.
func isConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// attemptTransaction runs fn once in a transaction of its own.
func (s *Store) attemptTransaction(ctx context.Context, options *sql.TxOptions, fn func(tx *Tx) error) error {
	// The transaction's own context: canceled with ctx until COMMIT starts, then by the
	// commit timer only. Its values (tracing, say) are ctx's.
	txCtx, cancelTx := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelTx()
	stopFollowingCtx := context.AfterFunc(ctx, cancelTx)
	defer stopFollowingCtx()

	pool := s.writer
	if options != nil && options.ReadOnly {
		pool = s.db
	}
	db := pool.WithContext(txCtx).Begin(options)
	if db.Error != nil {
		return availability(ctx, db.Error)
	}
	commitStarted := false
	defer func() {
		if !commitStarted { // fn failed or panicked
			db.Rollback()
		}
	}()
	if err := runWork(&Tx{db: db.WithContext(ctx), dialect: s.dialect}, fn); err != nil {
		return availability(ctx, err)
	}
	if !stopFollowingCtx() {
		// ctx ended after fn's last statement: the transaction is being rolled back.
		return availability(ctx, ctx.Err())
	}
	commitStarted = true
	timer := time.AfterFunc(commitTimeout, cancelTx)
	defer timer.Stop()
	return availability(ctx, db.Commit().Error)
}

// runWork runs fn in tx, then writes the audit event fn appended, if a statement of fn did
// not already carry it.
func runWork(tx *Tx, fn func(tx *Tx) error) error {
	if err := fn(tx); err != nil {
		return err
	}
	return tx.flushAudit()
}
