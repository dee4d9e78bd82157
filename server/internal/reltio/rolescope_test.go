package reltio_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// reltioDocPutRequest is the body of Reltio's "Update Customer Role with Permissions"
// example, which carries the role's scope.
const reltioDocPutRequest = `{
    "roleName": "ROLE_RIQ_DEV",
    "roleScope": "customer",
    "servicePermissions": [
        {
            "id": "Auth",
            "resourcePermissions": [
                {"id": "globalRoles", "allowedPrivileges": ["READ"]},
                {"id": "customer", "allowedPrivileges": ["READ", "DELETE", "CREATE", "UPDATE"]}
            ]
        }
    ]
}`

func TestRoleScopeAccepted(t *testing.T) {
	put := func(body string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_RIQ_DEV"), body)
		}
	}
	const stored = `[{"id":"Auth","resourcePermissions":[{"id":"globalRoles","allowedPrivileges":["READ"]},{"id":"customer","allowedPrivileges":["READ","DELETE","CREATE","UPDATE"]}]}]`
	runReltioCases(t, []reltioCase{
		{name: "PUT with Reltio's documented example body", status: 200, request: put(reltioDocPutRequest),
			body:  `{"roleName":"ROLE_RIQ_DEV","roleScope":"customer","servicePermissions":` + stored + `}`,
			check: expectPermissions("TestCustomer", "ROLE_RIQ_DEV", stored)},
		{name: "POST with roleScope customer", status: 200,
			request: assign(`[{"roleName":"ROLE_RIQ_DEV","roleScope":"customer","servicePermissions":` + stored + `}]`),
			body:    `[{"roleName":"ROLE_RIQ_DEV","roleScope":"customer","servicePermissions":` + stored + `}]`,
			check:   expectPermissions("TestCustomer", "ROLE_RIQ_DEV", stored)},
	})
}

func TestRoleScopeOtherThanCustomerIsRefused(t *testing.T) {
	requests := map[string]func(h *servertest.Harness) servertest.Request{
		"POST": assign(`[{"roleName":"ROLE_RIQ_DEV","roleScope":"tenant","servicePermissions":[]}]`),
		"PUT": func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_RIQ_DEV"),
				strings.Replace(reltioDocPutRequest, `"customer",`, `"tenant",`, 1))
		},
		"PUT without roleName": func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, admin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_RIQ_DEV"),
				`{"roleScope":"tenant","servicePermissions":[]}`)
		},
	}
	for name, request := range requests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := newReltioHarness(t, dialect)
				before := reltioState(h)
				failure := servertest.ReltioErr(t, h.Do(request(h)), 400, 40001)
				if text := failure.ErrorMessage + " " + *failure.ErrorDetailMessage; !strings.Contains(text, "tenant") || !strings.Contains(text, "roleScope") {
					t.Fatalf("the error does not name the attribute and its value: %s / %s", failure.ErrorMessage, *failure.ErrorDetailMessage)
				}
				if after := reltioState(h); after != before {
					t.Fatalf("a refused request changed the data:\nbefore %s\nafter  %s", before, after)
				}
			})
		})
	}
}

// Every customer-specific role answers roleScope customer wherever roles are listed or read;
// system roles answer none.
func TestRoleScopeInResponses(t *testing.T) {
	t.Parallel()
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect)
		var customerRoles []string
		if err := json.Unmarshal([]byte(customerRoleNames(h, "TestCustomer")), &customerRoles); err != nil {
			t.Fatal(err)
		}
		scopeOf := func(path string) map[string]any {
			t.Helper()
			rec := h.Do(servertest.Get(admin(h), path))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
			var roles []map[string]any
			if strings.HasPrefix(strings.TrimSpace(rec.Body.String()), "{") {
				roles = make([]map[string]any, 1)
				if err := json.Unmarshal(rec.Body.Bytes(), &roles[0]); err != nil {
					t.Fatal(err)
				}
			} else if err := json.Unmarshal(rec.Body.Bytes(), &roles); err != nil {
				t.Fatal(err)
			}
			scopes := map[string]any{}
			for _, r := range roles {
				scopes[r["roleName"].(string)] = r["roleScope"]
			}
			return scopes
		}
		listed := scopeOf(servertest.ReltioPath("TestCustomer", "/roles/permissions"))
		systemRoles := 0
		for role, scope := range listed {
			if slices.Contains(customerRoles, role) {
				if scope != "customer" {
					t.Errorf("customer-specific role %s listed with roleScope %v, want customer", role, scope)
				}
			} else if systemRoles++; scope != nil {
				t.Errorf("system role %s listed with roleScope %v, want none", role, scope)
			}
		}
		if len(customerRoles) == 0 || systemRoles == 0 {
			t.Fatalf("the list %v lacks customer-specific (%v) or system roles", listed, customerRoles)
		}
		for path, want := range map[string]any{
			servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"): "customer",
			servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_USER"):    nil,
			"/oauth/roles/permissions/ROLE_USER":                                     nil,
		} {
			for role, scope := range scopeOf(path) {
				if scope != want {
					t.Errorf("GET %s: %s has roleScope %v, want %v", path, role, scope, want)
				}
			}
		}
	})
}
