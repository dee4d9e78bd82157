package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Group commit for SQLite's one writer. Its write transactions run one after the other, and
// each COMMIT appends to the WAL every page the transaction changed: the audit trail's last
// page, the upper levels of the grants' b-trees, again at every write. So writes that queue
// while one runs share its transaction instead: each runs in a savepoint of its own, which
// its failure rolls back (undoing its work alone), and the group is committed once, when no
// write waits any longer or maxWriteGroup have joined. Each write returns when the COMMIT
// that carries it is done: its caller never sees a write that could still be undone. A
// group that fails to commit fails every write in it with ErrUnavailable, none applied.
//
// The trade: a write's statements no longer stop when its caller gives up, as an interrupted
// SQLite statement may roll back the whole transaction, the other writes' with it; the
// caller's context is looked at when its work is done instead, and a caller gone by then has
// its work rolled back. A write waits, besides, for the writes after it in its group.

// maxWriteGroup bounds the writes one COMMIT carries, and so the wait of the group's first.
const maxWriteGroup = 16

// writeGroups hands SQLite's writer to one write at a time (the turn), in arrival order,
// and keeps the transaction they share.
type writeGroups struct {
	writer *gorm.DB
	mu     sync.Mutex
	busy   bool            // a write holds the turn
	queue  []chan struct{} // writes waiting for the turn, first come first; closed to grant it
	// open is the transaction being shared, nil between groups. Only the turn's holder
	// touches it.
	open *writeGroup
	// groupsCommitted and writesCommitted count the COMMITs and the writes they carried;
	// waits and waited the writes that queued for the turn and their time in the queue.
	groupsCommitted, writesCommitted, waits, waited atomic.Int64
	// observe, once set (Store.ObserveStatements), is told the statements groups run past
	// GORM, whose callbacks tell it the others.
	observe atomic.Pointer[func(sql string)]
}

// writeGroup is one shared transaction.
type writeGroup struct {
	db      *gorm.DB
	cancel  context.CancelFunc // ends the transaction's context: past commitTimeout, or once done
	members int                // writes applied in it
	// broken is the failure of a savepoint's own statement: the transaction can no longer
	// tell one write's work from another's, and is rolled back whole.
	broken error
	done   chan struct{} // closed once committed or rolled back
	err    error         // the outcome, set before done closes
	// events are the audit events of the writes applied, in their order; the first sealed
	// of them are in audit_events already (sealGroupEvents), the others are chained at
	// COMMIT.
	events []*auditColumns
	sealed int
	// turnEventsFrom is where the events of the write holding the turn begin; digesting
	// counts the writes digesting theirs past their turn (endTurn), which the chaining
	// waits for.
	turnEventsFrom int
	digesting      sync.WaitGroup
	// observe is writeGroups.observe as the group began, nil when unset.
	observe *func(sql string)
}

// run runs fn as one write of a group, and returns once the group's COMMIT is done (or at
// once when fn fails: nothing of it stays).
func (w *writeGroups) run(ctx context.Context, dialect Dialect, fn func(tx *Tx) error) error {
	if err := w.acquire(ctx); err != nil {
		return availability(ctx, err)
	}
	group, err := w.openGroup(ctx)
	if err != nil {
		w.endTurn()
		return availability(ctx, err)
	}
	if err := w.applyHoldingTurn(ctx, group, dialect, fn); err != nil {
		w.endTurn()
		return availability(ctx, err)
	}
	w.endTurn()
	<-group.done
	return availability(ctx, group.err)
}

// applyHoldingTurn applies fn to the group, passing the turn on should fn panic.
func (w *writeGroups) applyHoldingTurn(ctx context.Context, group *writeGroup, dialect Dialect, fn func(tx *Tx) error) error {
	defer func() {
		if recovered := recover(); recovered != nil {
			w.endTurn()
			panic(recovered)
		}
	}()
	return group.apply(ctx, dialect, fn)
}

// acquire waits for the turn, or for ctx to end.
func (w *writeGroups) acquire(ctx context.Context) error {
	w.mu.Lock()
	if !w.busy {
		w.busy = true
		w.mu.Unlock()
		return nil
	}
	granted := make(chan struct{})
	w.queue = append(w.queue, granted)
	w.mu.Unlock()
	queuedAt := time.Now()
	w.waits.Add(1)
	defer func() { w.waited.Add(int64(time.Since(queuedAt))) }()
	select {
	case <-granted:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	if i := slices.Index(w.queue, granted); i >= 0 {
		w.queue = slices.Delete(w.queue, i, i+1)
		w.mu.Unlock()
		return ctx.Err()
	}
	w.mu.Unlock()
	// Granted as ctx ended: the turn is ours to pass on.
	w.endTurn()
	return ctx.Err()
}

// openGroup returns the open group, beginning one if none is. The transaction's context is
// none of its writes' (they may give up before the others are done); it keeps the first
// one's values.
func (w *writeGroups) openGroup(ctx context.Context) (*writeGroup, error) {
	if w.open != nil {
		return w.open, nil
	}
	groupCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	db := w.writer.WithContext(groupCtx).Begin()
	if db.Error != nil {
		cancel()
		return nil, db.Error
	}
	w.open = &writeGroup{db: db, cancel: cancel, done: make(chan struct{}), observe: w.observe.Load()}
	return w.open, nil
}

// endTurn passes the turn on. The open group stays open for the next write while one waits
// and the group has room; else it is committed (rolled back when broken or empty) first.
//
// The events of the write ending its turn are digested past it when the group stays open, so
// that the next write need not wait for their hashing; else by the chaining at the COMMIT.
func (w *writeGroups) endTurn() {
	if group := w.open; group != nil {
		turnEvents := group.events[group.turnEventsFrom:]
		group.turnEventsFrom = len(group.events)
		w.mu.Lock()
		keepOpen := group.broken == nil && len(w.queue) > 0 && group.members < maxWriteGroup
		if keepOpen {
			group.digesting.Add(1) // before the next write can chain (sealGroupEvents waits)
			w.grantLocked()
			w.mu.Unlock()
			digestAuditEvents(turnEvents)
			group.digesting.Done()
			return
		}
		w.mu.Unlock()
		w.open = nil
		if group.finish() == nil && group.members > 0 {
			w.groupsCommitted.Add(1)
			w.writesCommitted.Add(int64(group.members))
		}
	}
	w.mu.Lock()
	w.grantLocked()
	w.mu.Unlock()
}

// grantLocked gives the turn to the first write waiting, or frees it.
func (w *writeGroups) grantLocked() {
	if len(w.queue) == 0 {
		w.busy = false
		return
	}
	next := w.queue[0]
	w.queue = slices.Delete(w.queue, 0, 1)
	close(next)
}

// savepoint names the savepoint of the write applied: one at a time, so one name serves.
const savepoint = "custaccess_write"

// apply runs fn in a savepoint of the group's transaction: fn's work stays when it succeeds
// and its caller still waits, and is rolled back otherwise. Savepoints are run on the
// connection itself, not through GORM's callbacks: like BEGIN and COMMIT they are no
// statement of a request's (statement observers do not see them).
func (g *writeGroup) apply(ctx context.Context, dialect Dialect, fn func(tx *Tx) error) error {
	statementCtx := context.WithoutCancel(ctx)
	conn := g.db.Statement.ConnPool
	if _, err := conn.ExecContext(statementCtx, "SAVEPOINT "+savepoint); err != nil {
		g.broken = err
		return err
	}
	kept := false
	eventsBefore, sealedBefore := len(g.events), g.sealed
	defer func() {
		if kept {
			return
		}
		// Rolled back with fn's work: its events, and the chaining of the group's it did.
		g.events, g.sealed = g.events[:eventsBefore], sealedBefore
		// ROLLBACK TO leaves the savepoint in place: RELEASE ends it.
		if _, undoErr := conn.ExecContext(statementCtx, "ROLLBACK TO "+savepoint); undoErr != nil {
			g.broken = undoErr
		} else if _, undoErr := conn.ExecContext(statementCtx, "RELEASE "+savepoint); undoErr != nil {
			g.broken = undoErr
		}
	}()
	tx := &Tx{db: g.db.WithContext(statementCtx), dialect: dialect, group: g}
	if err := runWork(tx, fn); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // the caller gave up while fn ran
	}
	if _, err := conn.ExecContext(statementCtx, "RELEASE "+savepoint); err != nil {
		return err
	}
	kept = true
	g.members++
	return nil
}

// finish commits the group, or rolls it back when broken or empty, and tells its writes the
// outcome, which it returns.
func (g *writeGroup) finish() error {
	defer g.cancel()
	defer close(g.done)
	if g.broken != nil || g.members == 0 {
		g.db.Rollback()
		if g.broken != nil {
			g.err = fmt.Errorf("%w: the write transaction shared with other writes failed: %w", ErrUnavailable, g.broken)
		}
		return g.err
	}
	timer := time.AfterFunc(commitTimeout, g.cancel)
	defer timer.Stop()
	if err := (&Tx{db: g.db, dialect: SQLite, group: g}).sealGroupEvents(); err != nil {
		g.db.Rollback()
		g.err = fmt.Errorf("%w: chaining the audit events of a write group: %w", ErrUnavailable, err)
		return g.err
	}
	g.err = g.db.Commit().Error
	return g.err
}

// WriteGroupStats reports the COMMITs of SQLite's write groups and the writes they carried
// (both zero on PostgreSQL, whose writes commit one by one).
func (s *Store) WriteGroupStats() (commits, writes int64) {
	if s.writeGroups == nil {
		return 0, 0
	}
	return s.writeGroups.groupsCommitted.Load(), s.writeGroups.writesCommitted.Load()
}

// observed tells the statement observers, if any, of a statement run past GORM.
func (g *writeGroup) observed(statement string) {
	if g.observe != nil {
		(*g.observe)(statement)
	}
}
