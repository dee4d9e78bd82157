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

// principalScan is what a principal's hand-scanned read is checked against: the read, GORM's
// load of the same principal, and what the fixture's "whole" principal must have kept.
type principalScan[T any] struct {
	read  func(tx *store.Tx, key string) (*T, error)
	load  func(db *gorm.DB, key string) (T, error)
	whole func(T) bool
}

// requireScannedLikeGORM loads fixture, then checks, on both databases, that the read of the
// principals "whole" (every field set) and "plain" (none) equals GORM's load, that "whole"
// kept its fields, and that an absent principal is ErrNotFound.
func requireScannedLikeGORM[T any](t *testing.T, fixture string, check principalScan[T]) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if err := load(t, s, fixture); err != nil {
			t.Fatal(err)
		}
		err := s.View(context.Background(), func(tx *store.Tx) error {
			for _, key := range []string{"whole", "plain"} {
				scanned, err := check.read(tx, key)
				if err != nil {
					return err
				}
				loaded, err := check.load(store.TxGormForTests(tx), key)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(*scanned, loaded) {
					t.Errorf("scanned %+v, GORM loads %+v", *scanned, loaded)
				}
				if key == "whole" && !check.whole(*scanned) {
					t.Errorf("%+v: a field or a link lost", *scanned)
				}
			}
			if _, err := check.read(tx, "absent"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("absent principal: %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestClientIsScannedWhole: ClientByClientID's hand scan reads every column GORM would load,
// on both databases, and a client it does not find is ErrNotFound.
func TestClientIsScannedWhole(t *testing.T) {
	requireFieldCount[store.Client](t, 8, "ClientByClientID")
	requireScannedLikeGORM(t, `reltio: {customers: [{id: acme}]}
clients:
  - {clientId: whole, name: Whole, type: API, secret: whole-secret-0123456789, auditor: true, reltioCustomer: acme}
  - {clientId: plain, name: Plain, type: Web}
`, principalScan[store.Client]{
		read: (*store.Tx).ClientByClientID,
		load: func(db *gorm.DB, clientID string) (store.Client, error) {
			var client store.Client
			err := db.Where("client_id = ?", clientID).Take(&client).Error
			return client, err
		},
		whole: func(c store.Client) bool { return c.SecretHash != nil && c.ReltioCustomer != nil && c.Auditor },
	})
}

// TestUserIsScannedWhole: UserByLogin's hand scan reads every column GORM would load, with
// the user's actions and foreign departments, on both databases; an absent user is
// ErrNotFound.
func TestUserIsScannedWhole(t *testing.T) {
	requireFieldCount[store.User](t, 9, "UserByLogin")
	requireScannedLikeGORM(t, `reltio: {customers: [{id: acme}]}
departments: [{id: 10, name: Ten}, {id: 20, name: Twenty}, {id: 30, name: Thirty}]
users:
  - {login: whole, name: Whole, homeDepartment: 10, foreignDepartments: [20, 30], actions: [Edit Customer, View Agent Console], auditor: true, reltioCustomer: acme}
  - {login: plain, name: Plain}
`, principalScan[store.User]{
		// The links in GORM's order: the read's own follows the statement's.
		read: func(tx *store.Tx, login string) (*store.User, error) {
			user, err := tx.UserByLogin(login)
			if err == nil {
				slices.SortFunc(user.Actions, func(a, b store.UserAction) int { return strings.Compare(a.Action, b.Action) })
				slices.SortFunc(user.ForeignDepartments, func(a, b store.UserForeignDepartment) int { return cmp.Compare(a.DepartmentID, b.DepartmentID) })
			}
			return user, err
		},
		load: func(db *gorm.DB, login string) (store.User, error) {
			var user store.User
			err := db.Preload("Actions", func(db *gorm.DB) *gorm.DB { return db.Order("action") }).
				Preload("ForeignDepartments", func(db *gorm.DB) *gorm.DB { return db.Order("department_id") }).
				Where("login = ?", login).Take(&user).Error
			if len(user.Actions) == 0 {
				user.Actions = nil
			}
			if len(user.ForeignDepartments) == 0 {
				user.ForeignDepartments = nil
			}
			return user, err
		},
		whole: func(u store.User) bool {
			return u.HomeDepartmentID != nil && u.ReltioCustomer != nil && u.Auditor && len(u.Actions) == 2 && len(u.ForeignDepartments) == 2
		},
	})
}
