package oracle_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
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
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
		statuses := servertest.Concurrently(30, func(int) int {
			rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`))
			if rec.Code == http.StatusBadRequest && !strings.Contains(rec.Body.String(), `"JBO-25013"`) {
				t.Errorf("refusal %s", rec.Body)
			}
			return rec.Code
		})
		if statuses[http.StatusCreated] != 1 || statuses[http.StatusBadRequest] != 29 {
			t.Errorf("statuses %v, want one 201 and 29 400", statuses)
		}
		if n := h.activeRoles(servertest.Pat, servertest.Acme, "ORA_CSS_USER"); n != 1 {
			t.Errorf("%d active roles, want 1", n)
		}

		statuses = servertest.Concurrently(30, func(int) int {
			return h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Kim), token, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`).With("Upsert-Mode", "true")).Code
		})
		if statuses[http.StatusCreated] != 1 || statuses[http.StatusOK] != 29 {
			t.Errorf("upsert statuses %v, want one 201 and 29 200", statuses)
		}
		if n := h.activeRoles(servertest.Kim, servertest.Acme, "ORA_CSS_USER"); n != 1 {
			t.Errorf("%d active roles after upserts, want 1", n)
		}
	})
}

// Removing administrators in parallel never leaves an account without one: of three
// administrators removed at once, two go and one stays.
func TestOracleLastAdministratorUnderConcurrency(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
		admins := map[int64]int64{} // user → active administrator role on Acme
		for round := range 8 {
			for _, user := range []int64{servertest.Pat, servertest.Kim, servertest.Sam} {
				if _, ok := admins[user]; !ok {
					admins[user] = h.createRole(user, `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
				}
			}
			users := []int64{servertest.Pat, servertest.Kim, servertest.Sam}
			roles := make([]int64, len(users)) // read here: the requests below delete from admins
			for i, user := range users {
				roles[i] = admins[user]
			}
			var mu sync.Mutex
			statuses := servertest.Concurrently(len(users), func(i int) int {
				rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(users[i], roles[i]), token, ""))
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
			if n := h.activeRoles(0, servertest.Acme, "ORA_CSS_ACC_ADMIN"); n != 1 {
				t.Fatalf("round %d: Acme has %d active administrators, want 1", round, n)
			}
		}
	})
}

// An administrator changed to another type while the account's other administrator is
// removed, or a user's access removed (ending the user's administrator role) while the
// other administrator is removed: one of the two requests is refused, so the account keeps
// an administrator; never a 5xx.
func TestOracleAdministratorChangesRaceRemovals(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
		admins := map[int64]int64{} // user → active administrator role on Acme
		access := map[int64]int64{} // user → active user role on Acme
		for round := range 8 {
			for _, user := range []int64{servertest.Pat, servertest.Kim} {
				if _, ok := admins[user]; !ok {
					admins[user] = h.createRole(user, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
				}
				if _, ok := access[user]; !ok {
					access[user] = h.createRole(user, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
				}
			}
			// Who changes and who is removed alternates; every other round the change is the
			// removal of the user's access instead.
			changing, removed := servertest.Pat, servertest.Kim
			if round%2 == 1 {
				changing, removed = servertest.Kim, servertest.Pat
			}
			endsAccess := round%4 >= 2
			var changed bool
			statuses := servertest.Concurrently(2, func(i int) int {
				var rec *httptest.ResponseRecorder
				switch {
				case i == 1:
					rec = h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(removed, admins[removed]), token, ""))
				case endsAccess:
					rec = h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(changing, access[changing]), token, ""))
					changed = rec.Code == http.StatusNoContent
				default:
					rec = h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(changing, admins[changing]), token, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`))
					changed = rec.Code == http.StatusOK
				}
				if rec.Code >= 300 && !strings.Contains(rec.Body.String(), `"SVC_CSS_LAST_ACCOUNT_ADMIN"`) {
					t.Errorf("round %d: refusal %d %s", round, rec.Code, rec.Body)
				}
				return rec.Code
			})
			if statuses[http.StatusBadRequest] != 1 || statuses[http.StatusOK]+statuses[http.StatusNoContent] != 1 {
				t.Fatalf("round %d: statuses %v, want one success and one 400", round, statuses)
			}
			if n := h.activeRoles(0, servertest.Acme, "ORA_CSS_ACC_ADMIN"); n != 1 {
				t.Fatalf("round %d: Acme has %d active administrators, want 1", round, n)
			}
			switch {
			case !changed:
				delete(admins, removed)
			case endsAccess:
				delete(admins, changing)
				delete(access, changing)
			default:
				// The manager role goes, so that the next change to a manager can succeed.
				delete(admins, changing)
				var manager int64
				for _, r := range h.StoredRoles() {
					if r.UserID == changing && r.RelationshipTypeCd == "ORA_CSS_ACC_MANAGER" && r.EndDate == nil {
						manager = r.RoleID
					}
				}
				if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(changing, manager), h.UserToken("css-super"), "")); rec.Code != http.StatusNoContent {
					t.Fatalf("round %d: removing the manager role: %d %s", round, rec.Code, rec.Body)
				}
			}
		}
	})
}

// The same role removed by parallel requests is ended once: one 204, the others 404, its
// end date and who-columns written by one request.
func TestOracleDoubleDeleteEndsARoleOnce(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
		for round := range 6 {
			role := h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			statuses := servertest.Concurrently(8, func(int) int {
				rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, role), token, ""))
				if rec.Code != http.StatusNoContent && !strings.Contains(rec.Body.String(), `"JBO-25020"`) {
					t.Errorf("round %d: refusal %d %s", round, rec.Code, rec.Body)
				}
				return rec.Code
			})
			if statuses[http.StatusNoContent] != 1 || statuses[http.StatusNotFound] != 7 {
				t.Fatalf("round %d: statuses %v, want one 204 and seven 404", round, statuses)
			}
			stored := h.StoredRoles()
			ended := stored[slices.IndexFunc(stored, func(r store.OracleSelfServiceRole) bool { return r.RoleID == role })]
			if ended.EndDate == nil || !ended.EndDate.Equal(ended.LastUpdateDate) {
				t.Fatalf("round %d: role %s", round, fullRoleState(ended))
			}
		}
	})
}
