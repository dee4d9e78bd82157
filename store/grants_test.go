package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestCustomersAreScannedWhole: CustomersAndDepartmentalization scans customers by hand, so
// it must read every field GORM reads: a customer with every field set comes back as GORM
// loads it, and a field added to Customer fails here until the scan reads it too.
func TestCustomersAreScannedWhole(t *testing.T) {
	requireFieldCount[store.Customer](t, 5, "CustomersAndDepartmentalization")
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if err := load(t, s, `departments: [{id: 7, name: Seven}]
settings: {customerDepartmentalization: true}
customers:
  - {id: "1", name: One, type: individual, department: 7, canSignIn: true}
  - {id: "2", name: Two, type: organization}
`); err != nil {
			t.Fatal(err)
		}
		err := s.View(context.Background(), func(tx *store.Tx) error {
			scanned, departmentalized, err := tx.CustomersAndDepartmentalization([]int64{2, 1, 3}, false)
			if err != nil {
				return err
			}
			var loaded []store.Customer
			if err := store.TxGormForTests(tx).Order("id").Find(&loaded).Error; err != nil {
				return err
			}
			if !reflect.DeepEqual(scanned, loaded) || !departmentalized {
				t.Errorf("scanned %+v (departmentalized %v), GORM loads %+v", scanned, departmentalized, loaded)
			}
			if scanned[0].DepartmentID == nil || !scanned[0].CanSignIn {
				t.Errorf("customer 1 %+v: its department or sign-in lost", scanned[0])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
