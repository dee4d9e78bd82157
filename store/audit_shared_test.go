package store_test

import (
	"context"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestAuditReadInsideASharedTransactionSeesItsOwnEvent: a reader of the trail inside
// SharedTransaction (an Oracle batch's get of a user's role history after a role write)
// seals first, in the shared transaction, so it sees the transaction's own event. (The
// "anything pending?" probe on the store's pool did not see it.)
func TestAuditReadInsideASharedTransactionSeesItsOwnEvent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		err := s.SharedTransaction(context.Background(), func(ctx context.Context) error {
			if err := s.Transaction(ctx, func(tx *store.Tx) error { return tx.AuditGrantsCreated(1, []int64{2}) }); err != nil {
				return err
			}
			events, err := s.AuditEvents(ctx, store.AuditQuery{})
			if err != nil {
				return err
			}
			if len(events) != 1 {
				t.Errorf("inside the shared transaction: %d events, want its own 1", len(events))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestAuditReadInsideASharedTransactionThatWroteNothingLeavesTheHead: a shared transaction
// that wrote no event reads the sealed trail without sealing, so it does not hold the chain
// head's lock until it ends (on PostgreSQL another connection can lock the head meanwhile;
// SQLite's shared transaction holds the one write lock anyway).
func TestAuditReadInsideASharedTransactionThatWroteNothingLeavesTheHead(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.Postgres {
			t.Skip("SQLite's write transaction holds the database's one write lock")
		}
		err := s.SharedTransaction(context.Background(), func(ctx context.Context) error {
			if _, err := s.AuditEvents(ctx, store.AuditQuery{}); err != nil {
				return err
			}
			var locked []int64
			err := store.GormForTests(s).Raw("SELECT id FROM audit_chain WHERE id = 1 FOR UPDATE NOWAIT").Scan(&locked).Error
			if err != nil {
				t.Errorf("the chain's head is locked by a shared transaction that wrote nothing: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
