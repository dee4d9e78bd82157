package server

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/store"
)

// The statements a request runs do not grow with the number of customers in it: one query
// for a set of ids, one insert for a set of rows.
func TestGrantRequestsRunConstantStatements(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect, manyCustomers(5000, 160))
		count := h.statementsOf(t)
		token := h.userToken("agent")
		one := count(post(token, grantBody("5000", "5001")), http.StatusCreated)
		many := count(post(token, grantBody("5100", idRange(5001, 75)...)), http.StatusCreated)
		if len(one) != len(many) {
			t.Errorf("creating 1 grant ran %d statements, 75 grants ran %d:\n%q\n%q", len(one), len(many), one, many)
		}
		listOne := count(get(token, grantsPath("5000")), http.StatusOK)
		listMany := count(get(token, grantsPath("5100")), http.StatusOK)
		if len(listOne) != len(listMany) {
			t.Errorf("listing 1 grant ran %d statements, 75 grants ran %d", len(listOne), len(listMany))
		}
		t.Logf("statements: create %d, list %d", len(many), len(listMany))
	})
}
