package egain_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// Many requests at once on the same customers: the totals never pass maxGrants, and a
// refused request writes nothing (each request is all or nothing).
func TestGrantLimitsHoldUnderConcurrency(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ManyCustomers(5000, 300))
		token := h.ClientToken("crm-sync")

		// 20 requests of 10 distinct grantees each on customer 5000: only 7 fit under 75.
		statuses := servertest.Concurrently(20, func(i int) int {
			return h.Do(servertest.Post(token, servertest.GrantBody("5000", servertest.IDRange(5001+10*i, 10)...))).Code
		})
		if got := statuses[http.StatusCreated]; got != 7 {
			t.Errorf("%d requests created grants on one customer, want 7 (statuses %v)", got, statuses)
		}
		if got := statuses[http.StatusBadRequest]; got != 13 {
			t.Errorf("%d requests refused, want 13 (statuses %v)", got, statuses)
		}

		// 100 requests each giving customer 5299 a grant on another customer: 75 fit.
		statuses = servertest.Concurrently(100, func(i int) int {
			return h.Do(servertest.Post(token, servertest.GrantBody(fmt.Sprint(5201+i%98), "5299"))).Code
		})
		held, on := 0, 0
		for _, pair := range h.GrantPairs() {
			var grantedOn, grantee int
			fmt.Sscanf(pair, "%d>%d", &grantedOn, &grantee)
			if grantee == 5299 {
				held++
			}
			if grantedOn == 5000 {
				on++
			}
		}
		if on != 70 {
			t.Errorf("customer 5000 has %d grantees, want 70", on)
		}
		if held != 75 {
			t.Errorf("customer 5299 holds grants on %d customers, want exactly 75 (statuses %v)", held, statuses)
		}
		if statuses[http.StatusInternalServerError] > 0 {
			t.Errorf("%d requests failed with 500", statuses[http.StatusInternalServerError])
		}
	})
}
