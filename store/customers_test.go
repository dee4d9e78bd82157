package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestCustomersWhoSignIn: the seed's canSignIn makes a customer a principal; a later file
// without it takes it back (entries are upserted whole); customers default to not.
func TestCustomersWhoSignIn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		signsIn := func(id int64) bool {
			t.Helper()
			err := s.View(context.Background(), func(tx *store.Tx) error {
				_, err := tx.SignInCustomer(id)
				return err
			})
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}
		if err := load(t, s, `customers: [{id: "1000", name: A, type: individual, canSignIn: true}, {id: "1001", name: B, type: individual}]`); err != nil {
			t.Fatal(err)
		}
		if !signsIn(1000) || signsIn(1001) || signsIn(9999) {
			t.Fatalf("sign-in: 1000 %v, 1001 %v, 9999 %v", signsIn(1000), signsIn(1001), signsIn(9999))
		}
		if err := load(t, s, `customers: [{id: "1000", name: A, type: individual}]`); err != nil {
			t.Fatal(err)
		}
		if signsIn(1000) {
			t.Fatal("1000 still signs in after a file without canSignIn")
		}
		if _, err := store.ParseFixture([]byte(`customers: [{id: "1000", name: A, type: individual, canSignIn: maybe}]`)); err == nil {
			t.Fatal("canSignIn: maybe accepted")
		}
	})
}
