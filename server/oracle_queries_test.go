package server

import (
	"net/http"
	"sync"
	"testing"

	"github.com/custaccess/custaccess/store"
)

// The statements a request runs do not grow with the number of roles it shows.
func TestOracleRequestsRunConstantStatements(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, listFixture())
		seedListRoles(h)
		var (
			mu         sync.Mutex
			statements []string
		)
		if err := h.store.ObserveStatements(func(sql string) {
			mu.Lock()
			statements = append(statements, sql)
			mu.Unlock()
		}); err != nil {
			t.Fatal(err)
		}
		count := func(r request, status int) []string {
			mu.Lock()
			statements = nil
			mu.Unlock()
			if rec := h.do(r); rec.Code != status {
				t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
			}
			mu.Lock()
			defer mu.Unlock()
			return statements
		}
		// css-admin lacks the last-administrator privilege, so administrator roles need
		// their accounts' administrators counted: one query for all of them.
		token := h.userToken("css-admin")
		one := count(adf(http.MethodGet, rolesPath(sam)+"?q=RoleId=16&totalResults=true", token, ""), http.StatusOK)
		all := count(adf(http.MethodGet, rolesPath(sam)+"?limit=500&totalResults=true", token, ""), http.StatusOK)
		if len(one) != len(all) {
			t.Errorf("listing 1 role ran %d statements, 28 roles %d:\n%q\n%q", len(one), len(all), one, all)
		}
		create := count(adf(http.MethodPost, rolesPath(kim), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`), http.StatusCreated)
		t.Logf("statements: list %d, create %d", len(all), len(create))
	})
}
