package oracle_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestIfMatchRaceAcrossInstances: two instances on one PostgreSQL; each round, two PATCHes
// of the same role sent at once, one through each, with the same If-Match (the role's tag
// read before the round), each changing the role. The tag is checked under the lock the
// write takes, so exactly one succeeds and the other is refused with 412, every round.
func TestIfMatchRaceAcrossInstances(t *testing.T) {
	storetest.RequirePostgres(t, "several instances share PostgreSQL; SQLite serves one")
	const rounds = 20
	a := newOracleHarness(t, store.Postgres)
	a.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2B"}`)
	instances := []*servertest.Harness{a.Harness, a.AnotherInstance()}
	admin := a.UserToken("css-admin")
	requestTypes := []string{"B2C", "B2B"}
	for round := range rounds {
		rec := a.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 1), admin, ""))
		etag := rec.Header().Get("ETag")
		if rec.Code != http.StatusOK || etag == "" {
			t.Fatalf("round %d: GET %d, ETag %q", round, rec.Code, etag)
		}
		// Both change the request type to the one the role does not have.
		body := `{"RequestTypeCd":"` + requestTypes[round%2] + `"}`
		statuses := servertest.Concurrently(2, func(i int) int {
			return instances[i].Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, 1), admin, body).With("If-Match", etag)).Code
		})
		if statuses[http.StatusOK] != 1 || statuses[http.StatusPreconditionFailed] != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 412", round, statuses)
		}
	}
	roles := a.StoredRoles()
	if len(roles) != 1 || roles[0].RowVersion != rounds+1 {
		t.Errorf("stored %+v, want one role at version %d", roles, rounds+1)
	}
}
