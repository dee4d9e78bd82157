package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

const fixtureText = `
settings: {customerDepartmentalization: true}
departments: [{id: 10, name: Retail}, {id: 20, name: Wholesale}]
customers:
  - {id: "1000", name: Jane Roe, type: individual, department: 10}
users:
  - {login: alice, name: Alice, homeDepartment: 10, foreignDepartments: [20], actions: [Edit Customer, View Agent Console]}
clients:
  - {clientId: crm-sync, name: CRM sync, type: API}
`

// requireFieldCount fails unless T has n fields: a struct scanned by hand (in scanner) must
// have every field it gains read there too.
func requireFieldCount[T any](t *testing.T, n int, scanner string) {
	t.Helper()
	if got := reflect.TypeFor[T]().NumField(); got != n {
		t.Fatalf("%s has %d fields: scan the new ones in %s, then count them here", reflect.TypeFor[T]().Name(), got, scanner)
	}
}

func load(t *testing.T, s *store.Store, text string) error {
	t.Helper()
	fixture, err := store.ParseFixture([]byte(text))
	if err != nil {
		return err
	}
	return s.LoadFixture(context.Background(), fixture)
}

func loadedUser(t *testing.T, s *store.Store, login string) *store.User {
	t.Helper()
	var user *store.User
	err := s.View(context.Background(), func(tx *store.Tx) (err error) {
		user, err = tx.UserByLogin(login)
		return err
	})
	if err != nil {
		t.Fatalf("user %s: %v", login, err)
	}
	return user
}

func TestLoadFixtureIsIdempotentAndAddsUp(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		for range 2 {
			if err := load(t, s, fixtureText); err != nil {
				t.Fatal(err)
			}
		}
		// A second file adds a customer and changes alice: her lists are replaced, not merged.
		if err := load(t, s, `
customers: [{id: "1002", name: John Doe, type: individual, department: 20}]
users: [{login: alice, name: Alice A., homeDepartment: 20, actions: [View Agent Console]}]
settings: {customerDepartmentalization: false}
`); err != nil {
			t.Fatal(err)
		}
		alice := loadedUser(t, s, "alice")
		if alice.Name != "Alice A." || alice.HasAction("Edit Customer") || !alice.HasAction("View Agent Console") || len(alice.ForeignDepartments) != 0 {
			t.Errorf("alice after the second file: %+v", alice)
		}
		err := s.View(context.Background(), func(tx *store.Tx) error {
			customers, _, err := tx.CustomersAndDepartmentalization([]int64{1000, 1002}, false)
			if err != nil {
				return err
			}
			if len(customers) != 2 {
				t.Errorf("%d customers, want 2", len(customers))
			}
			on, err := tx.CustomerDepartmentalization()
			if on {
				t.Error("departmentalization still on")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestBrokenFixtureChangesNothing(t *testing.T) {
	for _, tc := range []struct{ name, text, wantErr string }{
		{"unknown department", `
departments: [{id: 30, name: Export}]
customers: [{id: "1003", name: New, type: individual, department: 99}]`, "customers[0].department: department 99 does not exist"},
		{"bad customer type", `
departments: [{id: 30, name: Export}]
customers: [{id: "1003", name: New, type: company}]`, `customers[0].type: "company" must be individual or organization`},
		{"bad customer id", `customers: [{id: "01", name: New, type: individual}]`, "customers[0].id"},
		{"duplicate login", `users: [{login: bob, name: B}, {login: bob, name: C}]`, "users[1]: duplicates users[0]"},
		{"unknown field", `customers: [{id: "1003", name: New, type: individual, colour: red}]`, "field colour not found"},
		{"client without type", `clients: [{clientId: x, name: X}]`, "clients[0].type: required"},
		{"a failure after earlier sections were written", `
departments: [{id: 30, name: Export}]
customers: [{id: "1003", name: New, type: individual, department: 30}]
users: [{login: carol, name: Carol, reltioCustomer: NoSuchCustomer}]`, `users[0].reltioCustomer: Reltio customer "NoSuchCustomer" does not exist`},
		{"unknown foreign department", `
departments: [{id: 30, name: Export}]
users: [{login: carol, name: Carol, foreignDepartments: [30, 77]}]`, "users[0].foreignDepartments[1]: department 77 does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, s *store.Store) {
				if err := load(t, s, fixtureText); err != nil {
					t.Fatal(err)
				}
				err := load(t, s, tc.text)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				err = s.View(context.Background(), func(tx *store.Tx) error {
					customers, _, err := tx.CustomersAndDepartmentalization([]int64{1003}, false)
					if len(customers) != 0 {
						t.Error("customer 1003 was written by a broken file")
					}
					if _, err := tx.UserByLogin("carol"); err != store.ErrNotFound {
						t.Errorf("user carol: %v, want not found", err)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				var departments []int64
				_ = store.GormForTests(s).Model(&store.Department{}).Order("id").Pluck("id", &departments).Error
				if len(departments) != 2 {
					t.Errorf("departments %v: a broken file wrote some", departments)
				}
			})
		})
	}
}

func TestJSONFixture(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if err := load(t, s, `{"departments":[{"id":10,"name":"Retail"}],"users":[{"login":"dave","name":"Dave","homeDepartment":10}]}`); err != nil {
			t.Fatal(err)
		}
		if u := loadedUser(t, s, "dave"); u.HomeDepartmentID == nil || *u.HomeDepartmentID != 10 {
			t.Errorf("dave: %+v", u)
		}
	})
}

func TestMigrateIsRepeatable(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, err %v", applied, err)
		}
	})
}
