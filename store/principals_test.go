package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestClientIsScannedWhole: ClientByClientID's hand scan reads every column GORM would load,
// on both databases, and a client it does not find is ErrNotFound.
func TestClientIsScannedWhole(t *testing.T) {
	requireFieldCount[store.Client](t, 8, "ClientByClientID")
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if err := load(t, s, `reltio: {customers: [{id: acme}]}
clients:
  - {clientId: whole, name: Whole, type: API, secret: whole-secret-0123456789, auditor: true, reltioCustomer: acme}
  - {clientId: plain, name: Plain, type: Web}
`); err != nil {
			t.Fatal(err)
		}
		err := s.View(context.Background(), func(tx *store.Tx) error {
			for _, clientID := range []string{"whole", "plain"} {
				scanned, err := tx.ClientByClientID(clientID)
				if err != nil {
					return err
				}
				var loaded store.Client
				if err := store.TxGormForTests(tx).Where("client_id = ?", clientID).Take(&loaded).Error; err != nil {
					return err
				}
				if !reflect.DeepEqual(*scanned, loaded) {
					t.Errorf("scanned %+v, GORM loads %+v", *scanned, loaded)
				}
				if clientID == "whole" && (scanned.SecretHash == nil || scanned.ReltioCustomer == nil || !scanned.Auditor) {
					t.Errorf("client %+v: its secret, Reltio customer or auditor flag lost", *scanned)
				}
			}
			if _, err := tx.ClientByClientID("absent"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("absent client: %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
