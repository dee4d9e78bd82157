package reltio_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// manyReltioRoles is a fixture giving TestCustomer roles R0..R(n-1).
func manyReltioRoles(n int) string {
	var b strings.Builder
	b.WriteString("reltio:\n  customers:\n    - id: TestCustomer\n      roles:\n")
	for i := range n {
		fmt.Fprintf(&b, "        - {name: R%d, permissions: [{id: MDM, resourcePermissions: [{id: data, allowedPrivileges: [READ]}]}]}\n", i)
	}
	return b.String()
}

// assignBody gives each of the roles R0..R(n-1) every Auth customer.* privilege.
func assignBody(n int) string {
	var entries []string
	for i := range n {
		entries = append(entries, fmt.Sprintf(`{"roleName":"R%d","servicePermissions":[{"id":"Auth","resourcePermissions":[
			{"id":"customer","allowedPrivileges":["CREATE","READ","UPDATE","DELETE"]},
			{"id":"customer.roles","allowedPrivileges":["READ"]}]},{"id":"riq","resourcePermissions":[{"id":"artifacts","allowedPrivileges":["READ"]}]}]}`, i))
	}
	return "[" + strings.Join(entries, ",") + "]"
}

// The statements of a Reltio request do not grow with the number of roles or permissions.
func TestReltioRequestsRunConstantStatements(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newReltioHarness(t, dialect, manyReltioRoles(40))
		ran := h.StatementsOf(t)
		statements := func(r servertest.Request) int { return len(ran(r, http.StatusOK)) }
		token := h.UserToken("reltio-admin")
		path := servertest.ReltioPath("TestCustomer", "/roles/permissions")
		one := statements(servertest.Send(http.MethodPost, token, path, assignBody(1)))
		forty := statements(servertest.Send(http.MethodPost, token, path, assignBody(40)))
		if one != forty {
			t.Errorf("assigning to 1 role ran %d statements, to 40 roles %d", one, forty)
		}
		list := statements(servertest.Get(token, path))
		t.Logf("statements: assign %d, list %d (45 roles)", forty, list)
		if list > 6 {
			t.Errorf("listing ran %d statements", list)
		}
		// One role: the role with the most permissions reads no more than one without.
		one = statements(servertest.Get(token, servertest.ReltioPath("TestCustomer", "/roles/permissions/R0")))
		if many := statements(servertest.Get(token, servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ADMIN_CUSTOMER"))); one != many || many > 5 {
			t.Errorf("reading one role ran %d statements, a system role with many permissions %d", one, many)
		}
		clear := statements(servertest.Send(http.MethodDelete, token, servertest.ReltioPath("TestCustomer", "/roles/permissions/R0"), ""))
		remove := statements(servertest.Send(http.MethodDelete, token, servertest.ReltioPath("TestCustomer", "/roles/R1"), ""))
		t.Logf("statements: read one %d, clear %d, remove %d", one, clear, remove)
		// Each counts the statements of its audit event: the role's permissions read for the
		// event's before, and the INSERT (on SQLite the write group's chaining at COMMIT,
		// three statements for the group, here of one request).
		audit := 2
		if dialect == store.SQLite {
			audit = 4
		}
		if clear > 4+audit || remove > 8+audit {
			t.Errorf("clearing ran %d statements, removing %d", clear, remove)
		}
	})
}

// go test -run '^$' -bench Reltio -benchmem ./server/internal/reltio/
func BenchmarkReltio(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		h := newReltioHarness(b, dialect, manyReltioRoles(40))
		token := h.UserToken("reltio-admin")
		path := servertest.ReltioPath("TestCustomer", "/roles/permissions")
		b.Run(string(dialect)+"/assign-40-roles", func(b *testing.B) {
			servertest.BenchmarkRequest(b, h, servertest.Send(http.MethodPost, token, path, assignBody(40)), http.StatusOK)
		})
		b.Run(string(dialect)+"/list-45-roles", func(b *testing.B) {
			servertest.BenchmarkRequest(b, h, servertest.Get(token, path), http.StatusOK)
		})
	}
}
