package server

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/custaccess/custaccess/store"
)

// activeRoles counts the stored active roles matching user, account and relationship type
// (0 matches any user).
func (h *harness) activeRoles(userID, account int64, relationshipType string) int {
	n := 0
	for _, role := range h.oracleRoles() {
		var id, user, acc int64
		var rest string
		fmt.Sscanf(role, "%d:%d:%d:%s", &id, &user, &acc, &rest)
		if (userID == 0 || user == userID) && acc == account && rest == relationshipType+":active" {
			n++
		}
	}
	return n
}

// Parallel creates of the same role leave exactly one active role; the others are refused
// with the ADF error (or, with Upsert-Mode, update it), never a 500.
func TestOracleCreatesUnderConcurrency(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.userToken("css-admin")
		statuses := concurrently(30, func(int) int {
			rec := h.do(adf(http.MethodPost, rolesPath(pat), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`))
			if rec.Code == http.StatusBadRequest && !strings.Contains(rec.Body.String(), `"JBO-25013"`) {
				t.Errorf("refusal %s", rec.Body)
			}
			return rec.Code
		})
		if statuses[http.StatusCreated] != 1 || statuses[http.StatusBadRequest] != 29 {
			t.Errorf("statuses %v, want one 201 and 29 400", statuses)
		}
		if n := h.activeRoles(pat, acme, "ORA_CSS_USER"); n != 1 {
			t.Errorf("%d active roles, want 1", n)
		}

		statuses = concurrently(30, func(int) int {
			return h.do(adf(http.MethodPost, rolesPath(kim), token, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`).with("Upsert-Mode", "true")).Code
		})
		if statuses[http.StatusCreated] != 1 || statuses[http.StatusOK] != 29 {
			t.Errorf("upsert statuses %v, want one 201 and 29 200", statuses)
		}
		if n := h.activeRoles(kim, acme, "ORA_CSS_USER"); n != 1 {
			t.Errorf("%d active roles after upserts, want 1", n)
		}
	})
}

// Removing administrators in parallel never leaves an account without one: of three
// administrators removed at once, two go and one stays.
func TestOracleLastAdministratorUnderConcurrency(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.userToken("css-admin")
		admins := map[int64]int64{} // user → active administrator role on Acme
		for round := range 8 {
			for _, user := range []int64{pat, kim, sam} {
				if _, ok := admins[user]; !ok {
					admins[user] = h.createRole(user, `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
				}
			}
			users := []int64{pat, kim, sam}
			var mu sync.Mutex
			statuses := concurrently(len(users), func(i int) int {
				rec := h.do(adf(http.MethodDelete, rolePath(users[i], admins[users[i]]), token, ""))
				if rec.Code == http.StatusNoContent {
					mu.Lock()
					delete(admins, users[i])
					mu.Unlock()
				} else if !strings.Contains(rec.Body.String(), `"SVC_CSS_LAST_ACCOUNT_ADMIN"`) {
					t.Errorf("round %d: refusal %d %s", round, rec.Code, rec.Body)
				}
				return rec.Code
			})
			if statuses[http.StatusNoContent] != 2 || statuses[http.StatusBadRequest] != 1 {
				t.Fatalf("round %d: statuses %v, want two 204 and one 400", round, statuses)
			}
			if n := h.activeRoles(0, acme, "ORA_CSS_ACC_ADMIN"); n != 1 {
				t.Fatalf("round %d: Acme has %d active administrators, want 1", round, n)
			}
		}
	})
}
