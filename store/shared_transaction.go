package store

import "context"

// sharedTransactionKey marks a context whose transactions join one already running.
type sharedTransactionKey struct{}

type sharedTransaction struct {
	store *Store
	tx    *Tx
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

// sharesTransaction tells whether ctx carries a shared transaction of this store.
func (s *Store) sharesTransaction(ctx context.Context) bool {
	shared, ok := ctx.Value(sharedTransactionKey{}).(*sharedTransaction)
	return ok && shared.store == s
}

// joinShared runs fn in the shared transaction ctx carries for this store, if any: its
// statements follow ctx.
func (s *Store) joinShared(ctx context.Context, fn func(tx *Tx) error) (bool, error) {
	if !s.sharesTransaction(ctx) {
		return false, nil
	}
	shared := ctx.Value(sharedTransactionKey{}).(*sharedTransaction)
	return true, runWork(&Tx{db: shared.tx.db.WithContext(ctx), dialect: s.dialect}, fn)
}
