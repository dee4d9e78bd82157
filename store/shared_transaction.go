package store

import "context"

// sharedTransactionKey marks a context whose transactions join one already running.
type sharedTransactionKey struct{}

type sharedTransaction struct {
	store *Store
	tx    *Tx
	// auditWritten tells that work joining the transaction wrote an audit event.
	auditWritten bool
}

// SharedTransaction runs fn in one transaction that every Transaction and View of this
// store called with fn's context (or one derived from it) joins, instead of running one of
// its own: the work of several requests is then applied whole or not at all. fn's error
// rolls everything back. Oracle's batch requests run their parts this way.
func (s *Store) SharedTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.inTransaction(ctx, nil, func(tx *Tx) error {
		return fn(context.WithValue(ctx, sharedTransactionKey{}, &sharedTransaction{store: s, tx: tx}))
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
// statements follow ctx.
func (s *Store) joinShared(ctx context.Context, fn func(tx *Tx) error) (bool, error) {
	shared := s.sharedTransactionOf(ctx)
	if shared == nil {
		return false, nil
	}
	tx := &Tx{db: shared.tx.db.WithContext(ctx), dialect: s.dialect}
	err := runWork(tx, fn)
	shared.auditWritten = shared.auditWritten || tx.auditWritten
	return true, err
}
