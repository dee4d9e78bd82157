package reltio_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// oneRole is a request on TestCustomer's path rest by the customer's administrator.
func oneRole(method, rest string) func(h *servertest.Harness) servertest.Request {
	return func(h *servertest.Harness) servertest.Request {
		return servertest.Send(method, admin(h), servertest.ReltioPath("TestCustomer", rest), "")
	}
}

func TestGetRolePermissions(t *testing.T) {
	runReltioCases(t, []reltioCase{
		{name: "a customer-specific role", status: 200, request: oneRole(http.MethodGet, "/roles/permissions/ROLE_ANALYST"),
			body: `{"roleName":"ROLE_ANALYST","roleScope":"customer","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}`},
		{name: "a role without permissions", status: 200, request: oneRole(http.MethodGet, "/roles/permissions/ROLE_RIQ_DEV"),
			body: `{"roleName":"ROLE_RIQ_DEV","roleScope":"customer","servicePermissions":[]}`},
		{name: "a system role", status: 200, request: oneRole(http.MethodGet, "/roles/permissions/ROLE_USER"),
			body: `{"roleName":"ROLE_USER","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]},{"id":"metadata","allowedPrivileges":["READ"]}]},{"id":"console","resourcePermissions":[{"id":"dashboard","allowedPrivileges":["READ"]}]}]}`},
		{name: "another customer's role is not found", status: 404, code: 40402, request: oneRole(http.MethodGet, "/roles/permissions/ROLE_OTHER")},
		{name: "an unknown role", status: 404, code: 40402, request: oneRole(http.MethodGet, "/roles/permissions/ROLE_NOPE")},
		{name: "a role name not allowed in the path", status: 400, code: 40005, request: oneRole(http.MethodGet, "/roles/permissions/ROLE%20X")},
		{name: "another customer's role through its path, by an outsider", status: 403, code: 40301, request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(admin(h), servertest.ReltioPath("OtherCustomer", "/roles/permissions/ROLE_OTHER"))
		}},
	})
}

func TestClearRolePermissions(t *testing.T) {
	runReltioCases(t, []reltioCase{
		{name: "removes every permission, the role stays", status: 200, request: oneRole(http.MethodDelete, "/roles/permissions/ROLE_ANALYST"),
			body: `{"status":"success"}`,
			check: func(t *testing.T, h *servertest.Harness) {
				expectPermissions("TestCustomer", "ROLE_ANALYST", `[]`)(t, h)
				if got := customerRoleNames(h, "TestCustomer"); got != `["ROLE_ANALYST","ROLE_RIQ_DEV"]` {
					t.Fatalf("roles %s", got)
				}
			}},
		{name: "a role already without permissions", status: 200, request: oneRole(http.MethodDelete, "/roles/permissions/ROLE_RIQ_DEV"), body: `{"status":"success"}`},
		{name: "a system role", status: 400, code: 40015, request: oneRole(http.MethodDelete, "/roles/permissions/ROLE_USER")},
		{name: "an unknown role", status: 404, code: 40402, request: oneRole(http.MethodDelete, "/roles/permissions/ROLE_NOPE")},
		{name: "another customer's role", status: 404, code: 40402, request: oneRole(http.MethodDelete, "/roles/permissions/ROLE_OTHER")},
		{name: "a body", status: 400, code: 40006, request: func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodDelete, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"), `{}`)
		}},
	})
}

func TestDeleteCustomerRole(t *testing.T) {
	runReltioCases(t, []reltioCase{
		{name: "removes the role with its permissions", status: 200, request: oneRole(http.MethodDelete, "/roles/ROLE_ANALYST"),
			body: `{"status":"success"}`,
			check: func(t *testing.T, h *servertest.Harness) {
				if got := customerRoleNames(h, "TestCustomer"); got != `["ROLE_RIQ_DEV"]` {
					t.Fatalf("roles %s", got)
				}
				// Re-created, the role starts empty.
				if rec := h.Do(servertest.Send(http.MethodPost, admin(h), servertest.ReltioPath("TestCustomer", "/roles"), `["ROLE_ANALYST"]`)); rec.Code != 200 {
					t.Fatalf("re-add: %d %s", rec.Code, rec.Body)
				}
				expectPermissions("TestCustomer", "ROLE_ANALYST", `[]`)(t, h)
			}},
		{name: "a system role", status: 400, code: 40015, request: oneRole(http.MethodDelete, "/roles/ROLE_ADMIN_CUSTOMER")},
		{name: "an unknown role", status: 404, code: 40402, request: oneRole(http.MethodDelete, "/roles/ROLE_NOPE")},
		{name: "another customer's role", status: 404, code: 40402, request: oneRole(http.MethodDelete, "/roles/ROLE_OTHER")},
		{name: "an unknown customer", status: 403, code: 40301, request: func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodDelete, admin(h), servertest.ReltioPath("NoSuchCustomer", "/roles/ROLE_ANALYST"), "")
		}},
		{name: "the platform administrator on an unknown customer", status: 404, code: 40401, request: func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodDelete, h.UserToken("platform-admin"), servertest.ReltioPath("NoSuchCustomer", "/roles/ROLE_ANALYST"), "")
		}},
		{name: "GET is not an operation", status: 405, code: 40501, request: oneRole(http.MethodGet, "/roles/ROLE_ANALYST")},
	})
}

// Holders of a removed role lose it, whether the role is deleted or dropped from the
// customer's list by PUT .../roles: a role later created with the same name, and given the
// same privilege, gives them nothing; holders in another customer keep theirs.
func TestDeletedRoleIsTakenFromItsHolders(t *testing.T) {
	const holders = `
reltio:
  customers:
    - id: TestCustomer
      roles:
        - {name: ROLE_READER, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [READ]}]}]}
    - id: OtherCustomer
      roles:
        - {name: ROLE_READER, permissions: [{id: Auth, resourcePermissions: [{id: customer.roles, allowedPrivileges: [READ]}]}]}
users:
  - {login: reader, name: R, reltioCustomer: TestCustomer, reltioRoles: [ROLE_READER]}
  - {login: other-reader, name: O, reltioCustomer: OtherCustomer, reltioRoles: [ROLE_READER]}
clients:
  - {clientId: reader-app, name: RA, type: API, reltioCustomer: TestCustomer, reltioRoles: [ROLE_READER]}
`
	const grant = `[{"roleName":"ROLE_READER","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer.roles","allowedPrivileges":["READ"]}]}]}]`
	removals := []struct{ name, method, path, body string }{
		{"DELETE the role", http.MethodDelete, "/roles/ROLE_READER", ""},
		{"PUT a list without it", http.MethodPut, "/roles", `["ROLE_RIQ_DEV","ROLE_ANALYST"]`},
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		for _, removal := range removals {
			t.Run(removal.name, func(t *testing.T) {
				checkRemovedRoleIsTaken(t, dialect, holders, grant, removal.method, removal.path, removal.body)
			})
		}
	})
}

// checkRemovedRoleIsTaken removes ROLE_READER of TestCustomer by the request given and checks
// that its holders lose it.
func checkRemovedRoleIsTaken(t *testing.T, dialect store.Dialect, holders, grant, method, path, body string) {
	h := newReltioHarness(t, dialect, holders)
	read := func(token, customer string) int {
		return h.Do(servertest.Get(token, servertest.ReltioPath(customer, "/roles"))).Code
	}
	reader, app, other := h.UserToken("reader"), h.ClientToken("reader-app"), h.UserToken("other-reader")
	if read(reader, "TestCustomer") != 200 || read(app, "TestCustomer") != 200 {
		t.Fatal("the holders cannot read before the removal")
	}
	if rec := h.Do(servertest.Send(method, admin(h), servertest.ReltioPath("TestCustomer", path), body)); rec.Code != 200 {
		t.Fatalf("remove: %d %s", rec.Code, rec.Body)
	}
	if got := read(reader, "TestCustomer"); got != http.StatusForbidden {
		t.Fatalf("the user after the removal: %d", got)
	}
	for _, step := range []struct{ method, path, body string }{{http.MethodPost, "/roles", `["ROLE_READER"]`}, {http.MethodPost, "/roles/permissions", grant}} {
		if rec := h.Do(servertest.Send(step.method, admin(h), servertest.ReltioPath("TestCustomer", step.path), step.body)); rec.Code != 200 {
			t.Fatalf("re-create: %d %s", rec.Code, rec.Body)
		}
	}
	if got := read(reader, "TestCustomer"); got != http.StatusForbidden {
		t.Fatalf("the user after the role is re-created: %d, want 403", got)
	}
	if got := read(app, "TestCustomer"); got != http.StatusForbidden {
		t.Fatalf("the client after the role is re-created: %d, want 403", got)
	}
	if got := read(other, "OtherCustomer"); got != http.StatusOK {
		t.Fatalf("the other customer's holder: %d, want 200", got)
	}
}

func TestGetSystemRolePermissions(t *testing.T) {
	const noGlobalRoles = `
users:
  - {login: roles-reader, name: RR, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ANALYST]}
`
	system := func(login, role string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Get(h.UserToken(login), "/oauth/roles/permissions/"+role)
		}
	}
	runReltioCases(t, []reltioCase{
		{name: "by a customer administrator", status: 200, request: system("reltio-admin", "ROLE_USER"),
			body: `{"roleName":"ROLE_USER","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]},{"id":"metadata","allowedPrivileges":["READ"]}]},{"id":"console","resourcePermissions":[{"id":"dashboard","allowedPrivileges":["READ"]}]}]}`},
		{name: "by the platform administrator", status: 200, request: system("platform-admin", "ROLE_USER")},
		{name: "a customer-specific role is not a system role", status: 404, code: 40404, request: system("reltio-admin", "ROLE_ANALYST")},
		{name: "an unknown role", status: 404, code: 40404, request: system("reltio-admin", "ROLE_NOPE")},
		{name: "by a user without READ on Auth/globalRoles", status: 403, code: 40301, request: system("roles-reader", "ROLE_USER")},
		{name: "by a principal of no customer, scoped elsewhere", status: 403, code: 40301, request: system("scoped-admin", "ROLE_USER")},
		{name: "without a token", status: 401, code: 40101, request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get("", "/oauth/roles/permissions/ROLE_USER")
		}},
	}, noGlobalRoles)
}
