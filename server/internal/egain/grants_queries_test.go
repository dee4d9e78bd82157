package egain_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The statements a request runs do not grow with the number of customers in it: one query
// for a set of ids, one insert for a set of rows.
func TestGrantRequestsRunConstantStatements(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ManyCustomers(5000, 160))
		count := h.StatementsOf(t)
		token := h.UserToken("agent")
		one := count(servertest.Post(token, servertest.GrantBody("5000", "5001")), http.StatusCreated)
		many := count(servertest.Post(token, servertest.GrantBody("5100", servertest.IDRange(5001, 75)...)), http.StatusCreated)
		if len(one) != len(many) {
			t.Errorf("creating 1 grant ran %d statements, 75 grants ran %d:\n%q\n%q", len(one), len(many), one, many)
		}
		listOne := count(servertest.Get(token, servertest.GrantsPath("5000")), http.StatusOK)
		listMany := count(servertest.Get(token, servertest.GrantsPath("5100")), http.StatusOK)
		if len(listOne) != len(listMany) {
			t.Errorf("listing 1 grant ran %d statements, 75 grants ran %d", len(listOne), len(listMany))
		}
		t.Logf("statements: create %d, list %d", len(many), len(listMany))
	})
}
