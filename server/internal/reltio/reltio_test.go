package reltio_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The request and response printed in Reltio's documentation (role ROLE_RIQ_DEV, customer
// TestCustomer); the response adds the role's scope, which this service answers for every
// customer-specific role.
const (
	reltioDocRequest = `[{
        "roleName": "ROLE_RIQ_DEV",
        "servicePermissions": [
            {
                "id": "Auth",
                "resourcePermissions": [
                    {"id": "globalRoles", "allowedPrivileges": ["READ"]},
                    {"id": "reltioServices", "allowedPrivileges": ["READ"]},
                    {"id": "monitoring", "allowedPrivileges": ["READ"]},
                    {"id": "customer", "allowedPrivileges": ["READ", "DELETE", "CREATE", "UPDATE"]}
                ]
            }
        ]
 }]`
	reltioDocResponse = `[{
       "roleName": "ROLE_RIQ_DEV",
       "roleScope": "customer",
       "servicePermissions": [
           {
               "id": "Auth",
               "resourcePermissions": [
                   {"id": "globalRoles", "allowedPrivileges": ["READ"]},
                   {"id": "reltioServices", "allowedPrivileges": ["READ"]},
                   {"id": "monitoring", "allowedPrivileges": ["READ"]},
                   {"id": "customer", "allowedPrivileges": ["READ", "DELETE", "CREATE", "UPDATE"]}
               ]
           }
       ]
}]`
)

// A Reltio rule test: a request against servertest.BaseFixture+servertest.ReltioFixture and what must follow.
type reltioCase struct {
	name    string
	request func(h *servertest.Harness) servertest.Request
	status  int
	code    int32  // Reltio errorCode, for error responses: the stored state must not change
	body    string // the expected JSON response, when given
	check   func(t *testing.T, h *servertest.Harness)
}

// reltioState is everything the Reltio API can show of both customers.
func reltioState(h *servertest.Harness) string {
	var b strings.Builder
	for _, customer := range []string{"TestCustomer", "OtherCustomer"} {
		rec := h.Do(servertest.Get(h.UserToken("platform-admin"), servertest.ReltioPath(customer, "/roles/permissions")))
		b.WriteString(rec.Body.String())
	}
	return b.String()
}

// runReltioCases runs each case on a fresh harness over the Reltio fixture and extra.
func runReltioCases(t *testing.T, cases []reltioCase, extra ...string) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := newReltioHarness(t, dialect, extra...)
				before := reltioState(h)
				rec := h.Do(tc.request(h))
				if tc.code != 0 {
					servertest.ReltioErr(t, rec, tc.status, tc.code)
					if after := reltioState(h); after != before {
						t.Fatalf("a refused request changed the data:\nbefore %s\nafter  %s", before, after)
					}
				} else if rec.Code != tc.status {
					t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
				}
				if tc.body != "" {
					if got, want := servertest.CompactJSON(t, rec.Body.String()), servertest.CompactJSON(t, tc.body); got != want {
						t.Fatalf("body\n got %s\nwant %s", got, want)
					}
				}
				if tc.check != nil {
					tc.check(t, h)
				}
			})
		})
	}
}

func admin(h *servertest.Harness) string { return h.UserToken("reltio-admin") }

func assign(body string) func(h *servertest.Harness) servertest.Request {
	return assignAs("reltio-admin", body)
}

// assignAs is the POST .../roles/permissions of TestCustomer by the user login.
func assignAs(login, body string) func(h *servertest.Harness) servertest.Request {
	return func(h *servertest.Harness) servertest.Request {
		return servertest.Send(http.MethodPost, h.UserToken(login), servertest.ReltioPath("TestCustomer", "/roles/permissions"), body)
	}
}

// expectPermissions checks a role's stored permissions.
func expectPermissions(customer, role, want string) func(t *testing.T, h *servertest.Harness) {
	return func(t *testing.T, h *servertest.Harness) {
		t.Helper()
		if got := h.RolePermissionsOf(customer, role); got != servertest.CompactJSON(t, want) {
			t.Fatalf("%s of %s:\n got %s\nwant %s", role, customer, got, want)
		}
	}
}

func TestAssignRolePermissions(t *testing.T) {
	runReltioCases(t, []reltioCase{
		{name: "the documentation's example round-trips, with the role's scope", request: assign(reltioDocRequest), status: 200, body: reltioDocResponse,
			check: expectPermissions("TestCustomer", "ROLE_RIQ_DEV", `[{"id":"Auth","resourcePermissions":[
				{"id":"globalRoles","allowedPrivileges":["READ"]},{"id":"reltioServices","allowedPrivileges":["READ"]},
				{"id":"monitoring","allowedPrivileges":["READ"]},{"id":"customer","allowedPrivileges":["READ","DELETE","CREATE","UPDATE"]}]}]`)},
		{name: "assigning adds to what the role holds", status: 200,
			request: assign(`[{"roleName":"ROLE_ANALYST","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["UPDATE","READ"]}]}]}]`),
			body:    `[{"roleName":"ROLE_ANALYST","roleScope":"customer","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["UPDATE","READ"]}]}]}]`,
			check:   expectPermissions("TestCustomer", "ROLE_ANALYST", `[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ","UPDATE"]}]}]`)},
		// As the platform administrator: the seed's Custom service is in no role of the customer's
		// administrator, who could not assign it.
		{name: "repeated entries are merged and privileges deduplicated", status: 200,
			request: assignAs("platform-admin", `[
				{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["READ","READ"]}]}]},
				{"roleName":"ROLE_ANALYST","servicePermissions":[{"id":"Custom","resourcePermissions":[{"id":"widgets","allowedPrivileges":["EXECUTE"]}]}]},
				{"roleName":"ROLE_RIQ_DEV","servicePermissions":[
					{"id":"Auth","resourcePermissions":[{"id":"monitoring","allowedPrivileges":["READ"]}]},
					{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["EXECUTE","READ"]}]}]}]`),
			body: `[
				{"roleName":"ROLE_RIQ_DEV","roleScope":"customer","servicePermissions":[
					{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["READ","EXECUTE"]}]},
					{"id":"Auth","resourcePermissions":[{"id":"monitoring","allowedPrivileges":["READ"]}]}]},
				{"roleName":"ROLE_ANALYST","roleScope":"customer","servicePermissions":[{"id":"Custom","resourcePermissions":[{"id":"widgets","allowedPrivileges":["EXECUTE"]}]}]}]`,
			check: expectPermissions("TestCustomer", "ROLE_RIQ_DEV", `[
					{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["READ","EXECUTE"]}]},
					{"id":"Auth","resourcePermissions":[{"id":"monitoring","allowedPrivileges":["READ"]}]}]`)},
		{name: "a role that does not exist refuses the whole request", status: 404, code: 40402,
			request: assign(`[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["READ"]}]}]},
				{"roleName":"ROLE_NOPE","servicePermissions":[]}]`)},
		{name: "a system role is not a customer-specific role", status: 404, code: 40402,
			request: assign(`[{"roleName":"ROLE_USER","servicePermissions":[]}]`)},
		{name: "another customer's role", status: 404, code: 40402,
			request: assign(`[{"roleName":"ROLE_OTHER","servicePermissions":[]}]`)},
		{name: "unknown service", status: 400, code: 40010,
			request: assign(`[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Nope","resourcePermissions":[{"id":"x","allowedPrivileges":["READ"]}]}]}]`)},
		{name: "unknown resource", status: 400, code: 40011,
			request: assign(`[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"nope","allowedPrivileges":["READ"]}]}]}]`)},
		{name: "privilege the resource does not allow", status: 400, code: 40012,
			request: assign(`[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[
				{"id":"customer","allowedPrivileges":["READ"]},{"id":"globalRoles","allowedPrivileges":["READ","CREATE"]}]}]}]`)},
		{name: "privilege Reltio does not know", status: 400, code: 40001,
			request: assign(`[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer","allowedPrivileges":["WRITE"]}]}]}]`)},
		{name: "empty array", status: 400, code: 40001, request: assign(`[]`)},
		{name: "role name with a space", status: 400, code: 40001, request: assign(`[{"roleName":"ROLE RIQ","servicePermissions":[]}]`)},
		{name: "role name of 256 characters", status: 400, code: 40001,
			request: assign(`[{"roleName":"` + strings.Repeat("R", 256) + `","servicePermissions":[]}]`)},
		{name: "unknown attribute", status: 400, code: 40001, request: assign(`[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[],"x":1}]`)},
		{name: "malformed JSON", status: 400, code: 40002, request: assign(`[{"roleName":`)},
		{name: "body not JSON", status: 415, code: 41501, request: func(h *servertest.Harness) servertest.Request {
			r := assign(`[]`)(h)
			r.Headers = map[string]string{"Content-Type": "text/plain"}
			return r
		}},
		{name: "Accept without JSON", status: 406, code: 40601, request: func(h *servertest.Harness) servertest.Request {
			r := assign(reltioDocRequest)(h)
			r.Headers = map[string]string{"Accept": "text/html"}
			return r
		}},
		{name: "unsupported query parameter", status: 400, code: 40004, request: func(h *servertest.Harness) servertest.Request {
			r := assign(reltioDocRequest)(h)
			r.Path += "?tenant=x"
			return r
		}},
		{name: "unknown customer, asked by the platform administrator", status: 404, code: 40401,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("platform-admin"), servertest.ReltioPath("NoSuchCustomer", "/roles/permissions"), reltioDocRequest)
			}},
		{name: "the platform administrator works on any customer", status: 200,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("platform-admin"), servertest.ReltioPath("OtherCustomer", "/roles/permissions"),
					`[{"roleName":"ROLE_OTHER","servicePermissions":[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["DELETE"]}]}]}]`)
			},
			check: expectPermissions("OtherCustomer", "ROLE_OTHER", `[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["READ","DELETE"]}]}]`)},
		{name: "a client scoped to the customer", status: 200,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.ClientToken("reltio-sync"), servertest.ReltioPath("TestCustomer", "/roles/permissions"), reltioDocRequest)
			}},
		{name: "no token", status: 401, code: 40101,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, "", servertest.ReltioPath("TestCustomer", "/roles/permissions"), reltioDocRequest)
			}},
		{name: "expired token", status: 401, code: 40102,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, "e30.e30.e30", servertest.ReltioPath("TestCustomer", "/roles/permissions"), reltioDocRequest)
			}},
		{name: "an administrator scoped to the customer replaces a role's permissions", status: 200,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPut, h.UserToken("scoped-admin"), servertest.ReltioPath("OtherCustomer", "/roles/permissions/ROLE_OTHER"), `{"servicePermissions":[]}`)
			},
			check: expectPermissions("OtherCustomer", "ROLE_OTHER", `[]`)},
		{name: "an administrator scoped to the customer reads its roles", status: 200, body: `["ROLE_OTHER"]`,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.UserToken("scoped-admin"), servertest.ReltioPath("OtherCustomer", "/roles"))
			}},
		{name: "ROLE_ADMIN_CUSTOMER without a customer of its own administers none", status: 403, code: 40301,
			request: func(h *servertest.Harness) servertest.Request {
				servertest.LoadFixture(h.T, h.Store, "users: [{login: homeless-admin, name: H, reltioRoles: [ROLE_ADMIN_CUSTOMER]}]")
				return servertest.Get(h.UserToken("homeless-admin"), servertest.ReltioPath("TestCustomer", "/roles"))
			}},
		{name: "a validly signed but expired token", status: 401, code: 40102,
			request: func(h *servertest.Harness) servertest.Request {
				past, _ := auth.NewTokens(servertest.Secret)
				past.SetClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })
				token, _ := past.Issue(auth.PrincipalUser, "reltio-admin", []string{"reltio.roles.manage"}, time.Hour)
				return servertest.Send(http.MethodPost, token, servertest.ReltioPath("TestCustomer", "/roles/permissions"), reltioDocRequest)
			}},
		{name: "a principal that is not an administrator", status: 403, code: 40301,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("reltio-user"), servertest.ReltioPath("TestCustomer", "/roles/permissions"), reltioDocRequest)
			}},
	})
}

func TestReplaceRolePermissions(t *testing.T) {
	replace := func(role, body string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/"+role), body)
		}
	}
	runReltioCases(t, []reltioCase{
		{name: "PUT overrides what POST added", status: 200,
			request: replace("ROLE_ANALYST", `{"servicePermissions":[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["EXECUTE","READ","EXECUTE"]}]}]}`),
			body:    `{"roleName":"ROLE_ANALYST","roleScope":"customer","servicePermissions":[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["EXECUTE","READ"]}]}]}`,
			check:   expectPermissions("TestCustomer", "ROLE_ANALYST", `[{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["EXECUTE","READ"]}]}]`)},
		{name: "an empty list removes every permission", status: 200,
			request: replace("ROLE_ANALYST", `{"roleName":"ROLE_ANALYST","servicePermissions":[]}`),
			body:    `{"roleName":"ROLE_ANALYST","roleScope":"customer","servicePermissions":[]}`,
			check:   expectPermissions("TestCustomer", "ROLE_ANALYST", `[]`)},
		{name: "roleName in the body differs from the path", status: 400, code: 40014,
			request: replace("ROLE_ANALYST", `{"roleName":"ROLE_RIQ_DEV","servicePermissions":[]}`)},
		{name: "role that does not exist", status: 404, code: 40402, request: replace("ROLE_NOPE", `{"servicePermissions":[]}`)},
		{name: "privilege the resource does not allow", status: 400, code: 40012,
			request: replace("ROLE_ANALYST", `{"servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"monitoring","allowedPrivileges":["DELETE"]}]}]}`)},
		{name: "role name not allowed in the path", status: 400, code: 40005, request: replace("ROLE%20X", `{"servicePermissions":[]}`)},
		{name: "a role name of punctuation only in the path", status: 400, code: 40005, request: replace("_", `{"servicePermissions":[]}`)},
		{name: "a role name of one dash in the path", status: 400, code: 40005, request: replace("-", `{"servicePermissions":[]}`)},
		{name: "a role name of one dot in the path", status: 400, code: 40005, request: replace(".", `{"servicePermissions":[]}`)},
		{name: "no body", status: 400, code: 40003, request: func(h *servertest.Harness) servertest.Request {
			r := replace("ROLE_ANALYST", "")(h)
			r.Headers = map[string]string{"Content-Type": "application/json"}
			return r
		}},
	})
}

func TestCustomerRoleLists(t *testing.T) {
	roles := func(method, body string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Send(method, admin(h), servertest.ReltioPath("TestCustomer", "/roles"), body)
		}
	}
	expectRoles := func(want string) func(t *testing.T, h *servertest.Harness) {
		return func(t *testing.T, h *servertest.Harness) {
			if got := customerRoleNames(h, "TestCustomer"); got != want {
				t.Fatalf("roles %s, want %s", got, want)
			}
		}
	}
	runReltioCases(t, []reltioCase{
		{name: "list the customer's roles", status: 200, request: roles(http.MethodGet, ""), body: `["ROLE_ANALYST","ROLE_RIQ_DEV"]`},
		{name: "add roles, keeping existing names once", status: 200,
			request: roles(http.MethodPost, `["CUST01_DS","ROLE_ANALYST","CUST01_PM","CUST01_DS"]`),
			body:    `["CUST01_DS","ROLE_ANALYST","CUST01_PM"]`,
			check: func(t *testing.T, h *servertest.Harness) {
				expectRoles(`["CUST01_DS","CUST01_PM","ROLE_ANALYST","ROLE_RIQ_DEV"]`)(t, h)
				expectPermissions("TestCustomer", "ROLE_ANALYST", `[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]`)(t, h)
			}},
		{name: "a system role's name", status: 400, code: 40013, request: roles(http.MethodPost, `["CUST01_DS","ROLE_ADMIN_CUSTOMER"]`)},
		{name: "a reserved name that would look like an administration role", status: 400, code: 40013,
			request: roles(http.MethodPost, `["ROLE_ADMIN_CUSTOMER_OtherCustomer"]`)},
		{name: "a reserved name in another case", status: 400, code: 40013,
			request: roles(http.MethodPost, `["CUST01_DS","Role_Admin_Customer_X"]`)},
		{name: "ROLE_ADMIN in lower case", status: 400, code: 40013, request: roles(http.MethodPost, `["role_admin"]`)},
		{name: "replace with a reserved name in another case", status: 400, code: 40013, request: roles(http.MethodPut, `["rOLE_aDMIN_CUSTOMER"]`)},
		{name: "an empty name", status: 400, code: 40001, request: roles(http.MethodPost, `[""]`)},
		{name: "a name of one dot", status: 400, code: 40001, request: roles(http.MethodPost, `["."]`)},
		{name: "a name of two dots", status: 400, code: 40001, request: roles(http.MethodPost, `[".."]`)},
		{name: "a name of one dash", status: 400, code: 40001, request: roles(http.MethodPost, `["-"]`)},
		{name: "a name of one underscore", status: 400, code: 40001, request: roles(http.MethodPost, `["_"]`)},
		{name: "a name of punctuation only", status: 400, code: 40001, request: roles(http.MethodPost, `["CUST01_DS","._-.."]`)},
		{name: "replace with a name of dots", status: 400, code: 40001, request: roles(http.MethodPut, `["ROLE_RIQ_DEV","..."]`)},
		{name: "names with a letter or digit among the punctuation are names", status: 200,
			request: roles(http.MethodPost, `["._a","-1-","_.Z._"]`), body: `["._a","-1-","_.Z._"]`},
		{name: "nothing to add", status: 400, code: 40001, request: roles(http.MethodPost, `[]`)},
		{name: "not an array of names", status: 400, code: 40001, request: roles(http.MethodPost, `{"roles":["A"]}`)},
		{name: "replace: dropped roles go with their permissions, kept ones keep theirs", status: 200,
			request: roles(http.MethodPut, `["ROLE_RIQ_DEV","CUST02"]`), body: `["ROLE_RIQ_DEV","CUST02"]`,
			check: func(t *testing.T, h *servertest.Harness) {
				expectRoles(`["CUST02","ROLE_RIQ_DEV"]`)(t, h)
				// Re-created, ROLE_ANALYST starts empty.
				if rec := h.Do(roles(http.MethodPost, `["ROLE_ANALYST"]`)(h)); rec.Code != 200 {
					t.Fatalf("re-add: %d %s", rec.Code, rec.Body)
				}
				expectPermissions("TestCustomer", "ROLE_ANALYST", `[]`)(t, h)
			}},
		{name: "replace with an empty list removes every role", status: 200, request: roles(http.MethodPut, `[]`), body: `[]`,
			check: expectRoles(`[]`)},
		{name: "replace with a system role's name", status: 400, code: 40013, request: roles(http.MethodPut, `["ROLE_USER"]`)},
		{name: "a body on GET", status: 400, code: 40006, request: roles(http.MethodGet, `["x"]`)},
		{name: "DELETE is not an operation", status: 405, code: 40501, request: roles(http.MethodDelete, "")},
		{name: "unknown path under /oauth", status: 404, code: 40403, request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(admin(h), "/oauth/customers/TestCustomer/groups")
		}},
	})
}

func TestListRolePermissionsShowsCustomerThenSystemRoles(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect)
		rec := h.Do(servertest.Get(h.ClientToken("reltio-sync"), servertest.ReltioPath("TestCustomer", "/roles/permissions")))
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var names []string
		for _, part := range strings.Split(rec.Body.String(), `"roleName":"`)[1:] {
			names = append(names, part[:strings.Index(part, `"`)])
		}
		if got, want := fmt.Sprint(names), "[ROLE_ANALYST ROLE_RIQ_DEV ROLE_ADMIN ROLE_ADMIN_CUSTOMER ROLE_ADMIN_USER ROLE_USER]"; got != want {
			t.Fatalf("roles %s, want %s", got, want)
		}
		if got := h.RolePermissionsOf("TestCustomer", "ROLE_USER"); !strings.Contains(got, `"id":"MDM"`) {
			t.Errorf("ROLE_USER's permissions from the catalog: %s", got)
		}
	})
}

// A principal administering one customer can never read or change another: every
// operation, for each kind of outsider.
func TestReltioTenantIsolation(t *testing.T) {
	operations := []struct{ method, path, body string }{
		{http.MethodPost, "/roles/permissions", reltioDocRequest},
		{http.MethodGet, "/roles/permissions", ""},
		{http.MethodPut, "/roles/permissions/ROLE_RIQ_DEV", `{"servicePermissions":[]}`},
		{http.MethodPost, "/roles", `["X"]`},
		{http.MethodPut, "/roles", `[]`},
		{http.MethodGet, "/roles", ""},
	}
	outsiders := []struct {
		name  string
		token func(h *servertest.Harness) string
	}{
		{"the other customer's administrator", func(h *servertest.Harness) string { return h.UserToken("other-admin") }},
		{"an administrator scoped to the other customer", func(h *servertest.Harness) string { return h.UserToken("scoped-admin") }},
		{"a user of the customer without an admin role", func(h *servertest.Harness) string { return h.UserToken("reltio-user") }},
		{"an eGain agent", func(h *servertest.Harness) string { return h.UserToken("agent") }},
		{"an eGain client", func(h *servertest.Harness) string { return h.ClientToken("crm-sync") }},
	}
	var cases []reltioCase
	for _, op := range operations {
		for _, who := range outsiders {
			cases = append(cases, reltioCase{
				name: op.method + " " + op.path + " by " + who.name, status: 403, code: 40301,
				request: func(h *servertest.Harness) servertest.Request {
					return servertest.Send(op.method, who.token(h), servertest.ReltioPath("TestCustomer", op.path), op.body)
				},
			})
		}
		// A customer that does not exist is refused the same way: outsiders learn nothing.
		cases = append(cases, reltioCase{
			name: op.method + " " + op.path + " on an unknown customer", status: 403, code: 40301,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(op.method, admin(h), servertest.ReltioPath("NoSuchCustomer", op.path), op.body)
			},
		})
	}
	runReltioCases(t, cases)
}

// A token's scopes bound what the Reltio roles of its principal allow.
func TestReltioScopes(t *testing.T) {
	runReltioCases(t, []reltioCase{
		{name: "a platform administrator's token narrowed to eGain scopes", status: 403, code: 40301,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.Token(auth.PrincipalUser, "platform-admin", "core.customermgr.read"), servertest.ReltioPath("TestCustomer", "/roles"))
			}},
		{name: "a read-only token cannot write", status: 403, code: 40301,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.Token(auth.PrincipalUser, "reltio-admin", "reltio.roles.read"), servertest.ReltioPath("TestCustomer", "/roles"), `["X"]`)
			}},
		{name: "a read-only token reads", status: 200,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.Token(auth.PrincipalUser, "reltio-admin", "reltio.roles.read"), servertest.ReltioPath("TestCustomer", "/roles"))
			}},
		{name: "a manage-only token cannot read", status: 403, code: 40301,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.Token(auth.PrincipalUser, "reltio-admin", "reltio.roles.manage"), servertest.ReltioPath("TestCustomer", "/roles/permissions"))
			}},
	})
}
