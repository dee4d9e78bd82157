package reltio_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// Many requests add different privileges to one role at once, while others replace another
// role's permissions: no addition is lost and nothing fails.
func TestReltioConcurrentAssignmentsLoseNothing(t *testing.T) {
	resources := []string{"customer", "customer.shield", "customer.roles", "customer.groups", "customer.user",
		"customer.user.tenants", "customer.user.profile", "customer.user.roles", "customer.SSO", "customer.clients"}
	privileges := []string{"CREATE", "READ", "UPDATE", "DELETE"}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect)
		token := h.UserToken("reltio-admin")
		statuses := servertest.Concurrently(len(resources)*len(privileges), func(i int) int {
			if i%8 == 7 {
				return h.Do(servertest.Send(http.MethodPut, token, servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"),
					`{"servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}`)).Code
			}
			body := `[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"` +
				resources[i/len(privileges)] + `","allowedPrivileges":["` + privileges[i%len(privileges)] + `"]}]}]}]`
			return h.Do(servertest.Send(http.MethodPost, token, servertest.ReltioPath("TestCustomer", "/roles/permissions"), body)).Code
		})
		if statuses[http.StatusOK] != len(resources)*len(privileges) {
			t.Fatalf("statuses %v, want all 200", statuses)
		}
		var services []gen.ServicePermission
		if err := json.Unmarshal([]byte(h.RolePermissionsOf("TestCustomer", "ROLE_RIQ_DEV")), &services); err != nil {
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

// PUT and POST on the same role at once: every PUT answers exactly what it stored, and the
// role ends as some serial order would leave it — the PUT's permissions plus additions made
// after it.
func TestReltioConcurrentReplaceAndAssign(t *testing.T) {
	const replaced = `{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}`
	additions := []string{"customer", "customer.shield", "customer.roles", "customer.groups", "customer.user", "customer.clients"}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect)
		token := h.UserToken("reltio-admin")
		var mu sync.Mutex
		var putBodies []string
		statuses := servertest.Concurrently(24, func(i int) int {
			if i%2 == 0 {
				rec := h.Do(servertest.Send(http.MethodPut, token, servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"),
					`{"servicePermissions":[`+replaced+`]}`))
				mu.Lock()
				putBodies = append(putBodies, rec.Body.String())
				mu.Unlock()
				return rec.Code
			}
			body := `[{"roleName":"ROLE_ANALYST","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"` +
				additions[i/2%len(additions)] + `","allowedPrivileges":["READ"]}]}]}]`
			return h.Do(servertest.Send(http.MethodPost, token, servertest.ReltioPath("TestCustomer", "/roles/permissions"), body)).Code
		})
		if statuses[http.StatusOK] != 24 {
			t.Fatalf("statuses %v, want all 200", statuses)
		}
		want := servertest.CompactJSON(t, `{"roleName":"ROLE_ANALYST","roleScope":"customer","servicePermissions":[`+replaced+`]}`)
		for _, body := range putBodies {
			if got := servertest.CompactJSON(t, body); got != want {
				t.Fatalf("a PUT answered %s, not what it stored: %s", got, want)
			}
		}
		var services []gen.ServicePermission
		if err := json.Unmarshal([]byte(h.RolePermissionsOf("TestCustomer", "ROLE_ANALYST")), &services); err != nil {
			t.Fatal(err)
		}
		if len(services) == 0 || services[0].Id != "MDM" {
			t.Fatalf("final permissions %+v do not start with the last PUT's", services)
		}
	})
}
