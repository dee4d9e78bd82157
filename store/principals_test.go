package store_test

import (
	"cmp"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
	"gorm.io/gorm"
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

// TestUserIsScannedWhole: UserByLogin's hand scan reads every column GORM would load, with
// the user's actions and foreign departments, on both databases; an absent user is
// ErrNotFound.
func TestUserIsScannedWhole(t *testing.T) {
	requireFieldCount[store.User](t, 9, "UserByLogin")
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if err := load(t, s, `reltio: {customers: [{id: acme}]}
departments: [{id: 10, name: Ten}, {id: 20, name: Twenty}, {id: 30, name: Thirty}]
users:
  - {login: whole, name: Whole, homeDepartment: 10, foreignDepartments: [20, 30], actions: [Edit Customer, View Agent Console], auditor: true, reltioCustomer: acme}
  - {login: plain, name: Plain}
`); err != nil {
			t.Fatal(err)
		}
		err := s.View(context.Background(), func(tx *store.Tx) error {
			for _, login := range []string{"whole", "plain"} {
				scanned, err := tx.UserByLogin(login)
				if err != nil {
					return err
				}
				var loaded store.User
				if err := store.TxGormForTests(tx).Preload("Actions", func(db *gorm.DB) *gorm.DB { return db.Order("action") }).
					Preload("ForeignDepartments", func(db *gorm.DB) *gorm.DB { return db.Order("department_id") }).
					Where("login = ?", login).Take(&loaded).Error; err != nil {
					return err
				}
				slices.SortFunc(scanned.Actions, func(a, b store.UserAction) int { return strings.Compare(a.Action, b.Action) })
				slices.SortFunc(scanned.ForeignDepartments, func(a, b store.UserForeignDepartment) int { return cmp.Compare(a.DepartmentID, b.DepartmentID) })
				if len(loaded.Actions) == 0 {
					loaded.Actions = nil
				}
				if len(loaded.ForeignDepartments) == 0 {
					loaded.ForeignDepartments = nil
				}
				if !reflect.DeepEqual(*scanned, loaded) {
					t.Errorf("scanned %+v, GORM loads %+v", *scanned, loaded)
				}
				if login == "whole" && (scanned.HomeDepartmentID == nil || scanned.ReltioCustomer == nil || !scanned.Auditor ||
					len(scanned.Actions) != 2 || len(scanned.ForeignDepartments) != 2) {
					t.Errorf("user %+v: a field or a link lost", *scanned)
				}
			}
			if _, err := tx.UserByLogin("absent"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("absent user: %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
