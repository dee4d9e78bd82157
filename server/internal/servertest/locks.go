package servertest

import (
	"context"
	"testing"

	"github.com/custaccess/custaccess/store"
)

// HoldCustomerLocks locks customers 1000 and 1002 in a transaction of its own (on SQLite,
// the whole database) until release, which waits for that transaction to end.
func (h *Harness) HoldCustomerLocks(t testing.TB) (release func()) {
	t.Helper()
	locked, done := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- h.Store.Transaction(context.Background(), func(tx *store.Tx) error {
			if _, _, err := tx.CustomersAndDepartmentalization([]int64{1000, 1002}, true); err != nil {
				return err
			}
			close(locked)
			<-done
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-holder:
		t.Fatalf("locking the customers: %v", err)
	}
	return func() {
		close(done)
		if err := <-holder; err != nil {
			t.Fatal(err)
		}
	}
}
