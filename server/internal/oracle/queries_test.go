package oracle_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The statements a request runs do not grow with the number of roles it shows.
func TestOracleRequestsRunConstantStatements(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, listFixture())
		seedListRoles(h)
		count := h.StatementsOf(t)
		// css-admin lacks the last-administrator privilege, so administrator roles need
		// their accounts' administrators counted: one query for all of them.
		token := h.UserToken("css-admin")
		one := count(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Sam)+"?q=RoleId=16&totalResults=true", token, ""), http.StatusOK)
		all := count(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Sam)+"?limit=500&totalResults=true", token, ""), http.StatusOK)
		if len(one) != len(all) {
			t.Errorf("listing 1 role ran %d statements, 28 roles %d:\n%q\n%q", len(one), len(all), one, all)
		}
		// A create runs the same statements whatever the roles in place: the caller's
		// privileges, the user with its contact's accounts, the codes, on PostgreSQL the
		// account's lock, the active role of the type, the registration, the insert, its
		// audit event (on SQLite the write group's chaining at COMMIT, three statements for
		// the group, here of one request), the stamp of the user's Who columns (one UPDATE by
		// its key) and the new role (a user or administrator role adds one, its account's
		// administrators, for CanDeleteFlag).
		want := 10 // PostgreSQL
		if dialect == store.SQLite {
			want = 11
		}
		first := count(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Kim), token, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`), http.StatusCreated)
		among28 := count(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Sam), token, `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`), http.StatusCreated)
		if len(first) != want || len(among28) != want {
			t.Errorf("creating a user's first role ran %d statements, one among 28 roles %d; want %d:\n%q\n%q", len(first), len(among28), want, first, among28)
		}
	})
}
