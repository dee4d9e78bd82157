package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// Many requests add different privileges to one role at once, while others replace another
// role's permissions: no addition is lost and nothing fails.
func TestReltioConcurrentAssignmentsLoseNothing(t *testing.T) {
	resources := []string{"customer", "customer.shield", "customer.roles", "customer.groups", "customer.user",
		"customer.user.tenants", "customer.user.profile", "customer.user.roles", "customer.SSO", "customer.clients"}
	privileges := []string{"CREATE", "READ", "UPDATE", "DELETE"}
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect)
		token := h.userToken("reltio-admin")
		statuses := concurrently(len(resources)*len(privileges), func(i int) int {
			if i%8 == 7 {
				return h.do(send(http.MethodPut, token, reltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"),
					`{"servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}`)).Code
			}
			body := `[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"` +
				resources[i/len(privileges)] + `","allowedPrivileges":["` + privileges[i%len(privileges)] + `"]}]}]}]`
			return h.do(send(http.MethodPost, token, reltioPath("TestCustomer", "/roles/permissions"), body)).Code
		})
		if statuses[http.StatusOK] != len(resources)*len(privileges) {
			t.Fatalf("statuses %v, want all 200", statuses)
		}
		var services []gen.ServicePermission
		if err := json.Unmarshal([]byte(h.rolePermissionsOf("TestCustomer", "ROLE_RIQ_DEV")), &services); err != nil {
			t.Fatal(err)
		}
		held := 0
		for _, s := range services {
			for _, r := range s.ResourcePermissions {
				held += len(r.AllowedPrivileges)
			}
		}
		if want := len(resources)*len(privileges) - len(resources)*len(privileges)/8; held != want {
			t.Fatalf("ROLE_RIQ_DEV holds %d privileges, want %d", held, want)
		}
	})
}
