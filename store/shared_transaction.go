package store

import "context"

// sharedTransactionKey marks a context whose transactions join one already running.
type sharedTransactionKey struct{}

// sharedTransaction is one attempt of a SharedTransaction: each attempt has its own.
type sharedTransaction struct {
	store *Store
	tx    *Tx
	// auditWritten tells that work joining the transaction wrote an audit event.
	auditWritten bool
	// conflict is the first error of joined work that isConflict: PostgreSQL aborted the
	// whole transaction for another's sake (every later statement fails with 25P02), so
	// whatever fn makes of that error, the attempt is over and is run again.
	conflict error
}

// SharedTransaction runs fn in one transaction that every Transaction and View of this
// store called with fn's context (or one derived from it) joins, instead of running one of
// its own: the work of several requests is then applied whole or not at all. fn's error
// rolls everything back. Oracle's batch requests run their parts this way.
//
// When PostgreSQL aborts the transaction for a conflict with another one (a deadlock or a
// serialization failure) during work that joined it, the whole transaction is run again,
// fn included, as inTransaction runs a single transaction again: whatever fn returned
// (the joined work's callers may have turned the conflict into an answer of their own,
// as a batch part's HTTP pipeline does), the conflict is what the attempt ends with. Up to
// conflictAttempts attempts, each with a fresh shared transaction; a conflict left after
// the last is ErrUnavailable, nothing written. So fn must not change anything outside the
// transaction but the results it assigns, which a later attempt assigns again.
func (s *Store) SharedTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.inTransaction(ctx, nil, func(tx *Tx) error {
		shared := &sharedTransaction{store: s, tx: tx}
		err := fn(context.WithValue(ctx, sharedTransactionKey{}, shared))
		if shared.conflict != nil {
			return shared.conflict
		}
		return err
	})
}

// sharedTransactionOf returns the shared transaction of this store that ctx carries, if any.
func (s *Store) sharedTransactionOf(ctx context.Context) *sharedTransaction {
	shared, ok := ctx.Value(sharedTransactionKey{}).(*sharedTransaction)
	if !ok || shared.store != s {
		return nil
	}
	return shared
}

// joinShared runs fn in the shared transaction ctx carries for this store, if any: its
// statements follow ctx. The first conflict fn meets is kept for SharedTransaction to end
// the attempt with (see there).
func (s *Store) joinShared(ctx context.Context, fn func(tx *Tx) error) (bool, error) {
	shared := s.sharedTransactionOf(ctx)
	if shared == nil {
		return false, nil
	}
	statementCtx := ctx
	if shared.tx.group != nil {
		statementCtx = context.WithoutCancel(ctx)
	}
	tx := &Tx{db: shared.tx.db.WithContext(statementCtx), dialect: s.dialect, group: shared.tx.group}
	err := runWork(tx, fn)
	shared.auditWritten = shared.auditWritten || tx.auditWritten
	if shared.conflict == nil && isConflict(err) {
		shared.conflict = err
	}
	return true, err
}
