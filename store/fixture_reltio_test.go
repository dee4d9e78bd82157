package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

const reltioFixtureText = `
reltio:
  services:
    - id: Custom
      resources: [{id: widgets, privileges: [READ, EXECUTE]}]
  customers:
    - id: TestCustomer
      roles:
        - name: ROLE_RIQ_DEV
          permissions:
            - {id: Auth, resourcePermissions: [{id: monitoring, allowedPrivileges: [READ]}]}
            - {id: Custom, resourcePermissions: [{id: widgets, allowedPrivileges: [EXECUTE]}]}
users:
  - {login: reltio-admin, name: A, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ADMIN_CUSTOMER]}
clients:
  - {clientId: reltio-sync, name: S, type: API, reltioRoles: [ROLE_ADMIN_CUSTOMER_TestCustomer]}
`

func roleState(t *testing.T, s *store.Store) (roles []store.ReltioRole, permissions map[int64][]store.ReltioPermission, held *store.ReltioHeld) {
	t.Helper()
	err := s.View(context.Background(), func(tx *store.Tx) (err error) {
		if roles, err = tx.AllReltioCustomerRoles("TestCustomer"); err != nil {
			return err
		}
		ids := make([]int64, len(roles))
		for i, r := range roles {
			ids[i] = r.ID
		}
		if permissions, err = tx.ReltioRolePermissions(ids); err != nil {
			return err
		}
		held, err = tx.ReltioHeldByClient("reltio-sync", "TestCustomer")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return roles, permissions, held
}

func TestReltioFixture(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		for range 2 { // idempotent
			if err := load(t, s, reltioFixtureText); err != nil {
				t.Fatal(err)
			}
		}
		roles, permissions, held := roleState(t, s)
		if len(roles) != 1 || len(permissions[roles[0].ID]) != 2 {
			t.Fatalf("roles %+v, permissions %+v", roles, permissions)
		}
		// The client's ROLE_ADMIN_CUSTOMER_TestCustomer gives it ROLE_ADMIN_CUSTOMER's
		// privileges within TestCustomer, and nothing beyond.
		if held.Everywhere || !held.Holds(store.ReltioPermission{Service: "Auth", Resource: "customer.roles", Privilege: "UPDATE"}) {
			t.Errorf("client holds %+v", held)
		}
		// A role listed without permissions keeps its own.
		if err := load(t, s, "reltio: {customers: [{id: TestCustomer, roles: [{name: ROLE_RIQ_DEV}]}]}"); err != nil {
			t.Fatal(err)
		}
		if _, permissions, _ := roleState(t, s); len(permissions[roles[0].ID]) != 2 {
			t.Errorf("permissions were dropped: %+v", permissions)
		}
	})
}

func TestBrokenReltioFixtureChangesNothing(t *testing.T) {
	for _, tc := range []struct{ name, text, wantErr string }{
		{"privilege not allowed", `
reltio:
  customers:
    - id: NewCustomer
      roles: [{name: R1, permissions: [{id: Auth, resourcePermissions: [{id: globalRoles, allowedPrivileges: [CREATE]}]}]}]`,
			`reltio.customers[0].roles[0].permissions[0].resourcePermissions[0].allowedPrivileges[0]: privilege CREATE is not allowed for resource "globalRoles"`},
		{"unknown service", `
reltio:
  customers: [{id: NewCustomer, roles: [{name: R1, permissions: [{id: Nope, resourcePermissions: [{id: x, allowedPrivileges: [READ]}]}]}]}]`,
			`service "Nope" is not in the catalog`},
		{"system role name", `reltio: {customers: [{id: NewCustomer, roles: [{name: ROLE_USER}]}]}`,
			`reltio.customers[0].roles[0].name: "ROLE_USER" is the name of a system role`},
		{"unknown privilege in the catalog", `reltio: {services: [{id: S2, resources: [{id: r, privileges: [WRITE]}]}]}`,
			`reltio.services[0].resources[0].privileges[0]`},
		{"unknown customer of a user", `users: [{login: u9, name: U, reltioCustomer: NoSuch}]`,
			`users[0].reltioCustomer: Reltio customer "NoSuch" does not exist`},
		{"bad role name of a client", `clients: [{clientId: c9, name: C, type: API, reltioRoles: ["a b"]}]`,
			`clients[0].reltioRoles[0]`},
		{"duplicate customer", `reltio: {customers: [{id: NewCustomer}, {id: NewCustomer}]}`,
			`reltio.customers[1]: duplicates reltio.customers[0]`},
		{"a customer role named like a system role of the same file", `
reltio:
  systemRoles: [{name: ROLE_AUDITOR}]
  customers: [{id: NewCustomer, roles: [{name: ROLE_AUDITOR}]}]`,
			`reltio.systemRoles[0].name: "ROLE_AUDITOR" is the name of a customer-specific role`},
		{"a system role named like an existing customer role", `reltio: {systemRoles: [{name: ROLE_RIQ_DEV}]}`,
			`reltio.systemRoles[0].name: "ROLE_RIQ_DEV" is the name of a customer-specific role`},
		{"a reserved customer role name", `reltio: {customers: [{id: NewCustomer, roles: [{name: ROLE_ADMIN_CUSTOMER_X}]}]}`,
			`reltio.customers[0].roles[0].name: "ROLE_ADMIN_CUSTOMER_X" is reserved`},
		{"a reserved customer role name in another case", `reltio: {customers: [{id: NewCustomer, roles: [{name: Role_Admin_Customer_X}]}]}`,
			`reltio.customers[0].roles[0].name: "Role_Admin_Customer_X" is reserved`},
		{"a customer role name of dots", `reltio: {customers: [{id: NewCustomer, roles: [{name: ".."}]}]}`,
			`reltio.customers[0].roles[0].name: ".." must be`},
		{"a service id the API could never name", `reltio: {services: [{id: My Service, resources: [{id: r, privileges: [READ]}]}]}`,
			`reltio.services[0].id: "My Service" must be`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, s *store.Store) {
				if err := load(t, s, reltioFixtureText); err != nil {
					t.Fatal(err)
				}
				beforeRoles, beforePermissions, _ := roleState(t, s)
				err := load(t, s, tc.text)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				roles, permissions, _ := roleState(t, s)
				if len(roles) != len(beforeRoles) || len(permissions) != len(beforePermissions) {
					t.Error("a broken file changed the roles")
				}
				var customers []string
				_ = store.GormForTests(s).Model(&store.ReltioCustomer{}).Pluck("id", &customers).Error
				if len(customers) != 1 {
					t.Errorf("customers %v: a broken file wrote some", customers)
				}
			})
		})
	}
}
