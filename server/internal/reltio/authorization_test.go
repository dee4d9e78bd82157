package reltio_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// privilegeFixture gives both customers a role ROLE_TARGET for the operations to act on,
// TestCustomer roles holding one privilege on Auth/customer.roles each, and a principal of
// TestCustomer per kind of holder. Every custom-role principal also holds ROLE_ROLES_ALL,
// a role of OtherCustomer only: a name of another customer's role gives nothing.
const privilegeFixture = `
reltio:
  customers:
    - id: TestCustomer
      roles:
        - {name: ROLE_TARGET}
        - {name: ROLE_NOTHING, permissions: [{id: MDM, resourcePermissions: [{id: data, allowedPrivileges: [READ]}]}]}
        - {name: ROLE_ROLES_READ, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [READ]}]}]}
        - {name: ROLE_ROLES_CREATE, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [CREATE]}]}]}
        - {name: ROLE_ROLES_UPDATE, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [UPDATE]}]}]}
        - {name: ROLE_ROLES_DELETE, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [DELETE]}]}]}
    - id: OtherCustomer
      roles:
        - {name: ROLE_TARGET}
        - {name: ROLE_ROLES_ALL, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [CREATE, READ, UPDATE, DELETE]}]}]}
users:
  - {login: holds-nothing, name: N, reltioCustomer: TestCustomer, reltioRoles: [ROLE_NOTHING, ROLE_ROLES_ALL]}
  - {login: holds-read, name: R, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ROLES_READ, ROLE_ROLES_ALL]}
  - {login: holds-create, name: C, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ROLES_CREATE, ROLE_ROLES_ALL]}
  - {login: holds-update, name: U, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ROLES_UPDATE, ROLE_ROLES_ALL]}
  - {login: holds-delete, name: D, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ROLES_DELETE, ROLE_ROLES_ALL]}
  - {login: user-admin, name: UA, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ADMIN_USER]}
  - {login: scoped-test-admin, name: SA, reltioRoles: [ROLE_ADMIN_CUSTOMER_TestCustomer]}
`

// reltioOperation is one operation of the API, with a body its holders may send, and the
// privilege on Auth/customer.roles it needs.
type reltioOperation struct {
	method, path, body, privilege string
}

// reltioOperations lists every Reltio operation under /oauth/customers/{customerId}/roles….
var reltioOperations = []reltioOperation{
	{http.MethodGet, "/roles/permissions", "", "READ"},
	{http.MethodPost, "/roles/permissions", `[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["CREATE"]}]}]}]`, "CREATE"},
	{http.MethodPut, "/roles/permissions/ROLE_TARGET", `{"servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["UPDATE"]}]}]}`, "UPDATE"},
	{http.MethodGet, "/roles", "", "READ"},
	{http.MethodPost, "/roles", `["ROLE_NEW"]`, "CREATE"},
	{http.MethodPut, "/roles", `["ROLE_TARGET"]`, "UPDATE"},
	{http.MethodGet, "/roles/permissions/ROLE_TARGET", "", "READ"},
	{http.MethodDelete, "/roles/permissions/ROLE_TARGET", "", "DELETE"},
	{http.MethodDelete, "/roles/ROLE_TARGET", "", "DELETE"},
}

// Every operation × every kind of holder × own and other customer: 2xx exactly when the
// caller holds the operation's privilege within that customer; on 403 nothing changed.
func TestReltioAuthorizationMatrix(t *testing.T) {
	holders := []struct {
		name, login string
		holds       func(privilege, customer string) bool
	}{
		{"no privilege", "holds-nothing", func(string, string) bool { return false }},
		{"READ only", "holds-read", func(p, c string) bool { return p == "READ" && c == "TestCustomer" }},
		{"CREATE only", "holds-create", func(p, c string) bool { return p == "CREATE" && c == "TestCustomer" }},
		{"UPDATE only", "holds-update", func(p, c string) bool { return p == "UPDATE" && c == "TestCustomer" }},
		{"DELETE only", "holds-delete", func(p, c string) bool { return p == "DELETE" && c == "TestCustomer" }},
		{"ROLE_ADMIN_USER", "user-admin", func(_, c string) bool { return c == "TestCustomer" }},
		{"ROLE_ADMIN_CUSTOMER", "reltio-admin", func(_, c string) bool { return c == "TestCustomer" }},
		{"ROLE_ADMIN_CUSTOMER_TestCustomer", "scoped-test-admin", func(_, c string) bool { return c == "TestCustomer" }},
		{"ROLE_ADMIN", "platform-admin", func(string, string) bool { return true }},
	}
	var cases []reltioCase
	for _, op := range reltioOperations {
		for _, holder := range holders {
			for _, customer := range []string{"TestCustomer", "OtherCustomer"} {
				c := reltioCase{
					name:   op.method + " " + op.path + " by " + holder.name + " on " + customer,
					status: http.StatusOK,
					request: func(h *servertest.Harness) servertest.Request {
						return servertest.Send(op.method, h.UserToken(holder.login), servertest.ReltioPath(customer, op.path), op.body)
					},
				}
				if !holder.holds(op.privilege, customer) {
					c.status, c.code = http.StatusForbidden, 40301
				}
				cases = append(cases, c)
			}
		}
	}
	runReltioCases(t, cases, privilegeFixture)
}

// The README's worked example: a privilege granted to a role through the API lets its
// holder in at its next request; taking it away shuts it out at the next.
func TestReltioPrivilegeTakesEffectAtTheNextRequest(t *testing.T) {
	const analyst = `
users:
  - {login: analyst, name: An, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ANALYST]}
`
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect, analyst)
		read := func() int {
			return h.Do(servertest.Get(h.UserToken("analyst"), servertest.ReltioPath("TestCustomer", "/roles"))).Code
		}
		if got := read(); got != http.StatusForbidden {
			t.Fatalf("before the grant: %d, want 403", got)
		}
		grant := h.Do(servertest.Send(http.MethodPost, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions"),
			`[{"roleName":"ROLE_ANALYST","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["READ"]}]}]}]`))
		if grant.Code != http.StatusOK {
			t.Fatalf("grant: %d %s", grant.Code, grant.Body)
		}
		if got := read(); got != http.StatusOK {
			t.Fatalf("after the grant: %d, want 200", got)
		}
		revoke := h.Do(servertest.Send(http.MethodPut, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"),
			`{"servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}`))
		if revoke.Code != http.StatusOK {
			t.Fatalf("revoke: %d %s", revoke.Code, revoke.Body)
		}
		if got := read(); got != http.StatusForbidden {
			t.Fatalf("after the revocation: %d, want 403", got)
		}
	})
}

// A caller may assign only privileges it holds itself within the customer; ROLE_ADMIN is
// exempt. The refusal names the privilege, and nothing changes.
func TestReltioNoPrivilegeEscalation(t *testing.T) {
	as := func(login, method, path, body string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Send(method, h.UserToken(login), servertest.ReltioPath("TestCustomer", path), body)
		}
	}
	cases := []reltioCase{
		{name: "a CREATE holder gives a role customer.roles READ", status: 403, code: 40302,
			request: as("holds-create", http.MethodPost, "/roles/permissions",
				`[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["CREATE","READ"]}]}]}]`)},
		{name: "a CREATE holder gives its own role more", status: 403, code: 40302,
			request: as("holds-create", http.MethodPost, "/roles/permissions",
				`[{"roleName":"ROLE_ROLES_CREATE","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["DELETE"]}]}]}]`)},
		{name: "an UPDATE holder overrides a role with customer.roles DELETE", status: 403, code: 40302,
			request: as("holds-update", http.MethodPut, "/roles/permissions/ROLE_TARGET",
				`{"servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["UPDATE","DELETE"]}]}]}`)},
		{name: "ROLE_ADMIN_USER gives a privilege it does not hold", status: 403, code: 40302,
			request: as("user-admin", http.MethodPost, "/roles/permissions",
				`[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.shield","allowedPrivileges":["READ"]}]}]}]`)},
		{name: "ROLE_ADMIN_CUSTOMER gives a seed service's privilege no role of it holds", status: 403, code: 40302,
			request: as("reltio-admin", http.MethodPost, "/roles/permissions",
				`[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Custom","resourcePermissions":[{"id":"widgets","allowedPrivileges":["READ"]}]}]}]`)},
		{name: "ROLE_ADMIN_USER gives what it holds", status: 200,
			request: as("user-admin", http.MethodPost, "/roles/permissions",
				`[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.user","allowedPrivileges":["READ","UPDATE"]}]}]}]`)},
		{name: "ROLE_ADMIN is exempt", status: 200,
			request: as("platform-admin", http.MethodPost, "/roles/permissions",
				`[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Custom","resourcePermissions":[{"id":"widgets","allowedPrivileges":["READ"]}]}]}]`)},
	}
	runReltioCases(t, cases, privilegeFixture)

	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect, privilegeFixture)
		rec := h.Do(as("holds-create", http.MethodPost, "/roles/permissions",
			`[{"roleName":"ROLE_TARGET","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["CREATE","READ"]}]}]}]`)(h))
		body := servertest.ReltioErr(t, rec, http.StatusForbidden, 40302)
		if detail := *body.ErrorDetailMessage; !strings.Contains(detail, "'READ'") || !strings.Contains(detail, "'customer.roles'") {
			t.Errorf("the refusal does not name the privilege: %s", detail)
		}
	})
}

// A caller may take away its own last customer.roles privilege; it is shut out at once.
func TestReltioRemovingOwnLastPrivilege(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect, privilegeFixture)
		token := h.UserToken("holds-update")
		put := func(body string) int {
			return h.Do(servertest.Send(http.MethodPut, token, servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ROLES_UPDATE"), body)).Code
		}
		if got := put(`{"servicePermissions":[]}`); got != http.StatusOK {
			t.Fatalf("removing its own last privilege: %d, want 200", got)
		}
		if got := put(`{"servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["UPDATE"]}]}]}`); got != http.StatusForbidden {
			t.Fatalf("the next request: %d, want 403", got)
		}
		if got := h.RolePermissionsOf("TestCustomer", "ROLE_ROLES_UPDATE"); got != "[]" {
			t.Fatalf("ROLE_ROLES_UPDATE holds %s", got)
		}
	})
}

// PUTs removing and PUTs granting back the caller's own UPDATE, all at once: once a removal
// has committed, no later write of the caller goes through, so exactly one removal
// succeeds, no grant follows it, and the role ends removed.
func TestReltioConcurrentSelfRevocation(t *testing.T) {
	const (
		granted = `{"servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["READ","UPDATE"]}]}]}`
		removed = `{"servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["READ"]}]}]}`
		self    = `
reltio:
  customers:
    - id: TestCustomer
      roles:
        - {name: ROLE_SELF, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [READ, UPDATE]}]}]}
users:
  - {login: self-admin, name: S, reltioCustomer: TestCustomer, reltioRoles: [ROLE_SELF]}
`
	)
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		for round := range 3 {
			h := newReltioHarness(t, dialect, self)
			token := h.UserToken("self-admin")
			path := servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_SELF")
			var removalsDone atomic.Int32
			statuses := servertest.Concurrently(24, func(i int) int {
				body := granted
				if i%6 == 0 {
					body = removed
				}
				code := h.Do(servertest.Send(http.MethodPut, token, path, body)).Code
				if code == http.StatusOK && body == removed {
					removalsDone.Add(1)
				}
				return code
			})
			if statuses[http.StatusOK]+statuses[http.StatusForbidden] != 24 || removalsDone.Load() != 1 {
				t.Fatalf("round %d: statuses %v, %d removals succeeded; want only 200s and 403s and exactly one removal",
					round, statuses, removalsDone.Load())
			}
			if got, want := h.RolePermissionsOf("TestCustomer", "ROLE_SELF"), servertest.CompactJSON(t, `[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["READ"]}]}]`); got != want {
				t.Fatalf("round %d: ROLE_SELF ends %s, want %s: a write went through after the removal committed", round, got, want)
			}
		}
	})
}
