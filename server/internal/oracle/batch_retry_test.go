package oracle_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestBatchesInDeadlockAreRunAgain: two batches updating the same two roles, on two
// accounts, in opposite orders, each holding its first role's account locked when it takes
// the other's (the first part of each waits, on the batch's first attempt, until both ran
// theirs), deadlock every round; PostgreSQL aborts one, whose part answers 500, and that
// batch is run again whole: both batches answer 200, through one instance or two sharing
// one PostgreSQL. Each round leaves both roles as one batch wrote them (the one committed
// last), each role written once by each batch, one audit event per part.
func TestBatchesInDeadlockAreRunAgain(t *testing.T) {
	storetest.RequirePostgres(t, "SQLite has one writer, so batches never deadlock")
	const rounds = 10
	for _, instanceCount := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d instances", instanceCount), func(t *testing.T) {
			t.Parallel()
			a := newOracleHarness(t, store.Postgres)
			onGlobex := a.createRole(servertest.Sam, `{"AccountPartyId":300100000000002,"RelationshipTypeCd":"ORA_CSS_USER"}`)
			onAcme := a.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			instances := []*servertest.Harness{a.Harness, a.Harness}
			if instanceCount == 2 {
				instances[1] = a.AnotherInstance()
			}

			// firstParts holds, for the round, what the first part of each batch calls once
			// it ran: by its Authorization and path.
			var mu sync.Mutex
			var firstParts map[string]func()
			holdFirstParts := func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					err := next(c)
					r := c.Request()
					mu.Lock()
					ran := firstParts[r.Header.Get("Authorization")+" "+r.URL.Path]
					mu.Unlock()
					if ran != nil {
						ran()
					}
					return err
				}
			}
			for _, h := range slices.Compact(slices.Clone(instances)) {
				h.E.Use(holdFirstParts)
			}

			type batch struct {
				login, requestType string
				first, second      string // role paths relative to the version root
			}
			globexRole := fmt.Sprintf("/customerSelfServiceUsers/%d/child/SelfServiceRoles/%d", servertest.Sam, onGlobex)
			acmeRole := fmt.Sprintf("/customerSelfServiceUsers/%d/child/SelfServiceRoles/%d", servertest.Pat, onAcme)
			batches := []batch{
				{login: "css-admin", requestType: "B2B", first: globexRole, second: acmeRole},
				{login: "css-super", requestType: "B2C", first: acmeRole, second: globexRole},
			}
			tokens := make([]string, len(batches))
			requests := make([]servertest.Request, len(batches))
			for i, b := range batches {
				payload := `{"RequestTypeCd":"` + b.requestType + `"}`
				requests[i] = batchAs(b.login, parts(part("first", b.first, "update", payload), part("second", b.second, "update", payload)))(a)
				tokens[i] = requests[i].Token
			}

			// Each role's version and request type ("" for none) as the last round left it.
			type written struct {
				version     int64
				requestType string
			}
			stored := func() map[int64]written {
				got := map[int64]written{}
				for _, r := range a.StoredRoles() {
					if r.RoleID == onGlobex || r.RoleID == onAcme {
						got[r.RoleID] = written{version: r.RowVersion, requestType: derefOr(r.RequestTypeCd, "")}
					}
				}
				return got
			}
			last, lastHead := stored(), auditHeadOf(t, a)
			for round := range rounds {
				// A batch arrives once its first part ran, or once it answered (should it fail
				// before that part, the other does not wait for it forever).
				var both sync.WaitGroup
				both.Add(len(batches))
				arrived := make([]func(), len(batches))
				mu.Lock()
				firstParts = map[string]func(){}
				for i, b := range batches {
					arrived[i] = sync.OnceFunc(both.Done)
					firstParts["Bearer "+tokens[i]+" "+batchPath+b.first] = func() { arrived[i](); both.Wait() }
				}
				mu.Unlock()

				statuses := servertest.Concurrently(len(batches), func(i int) int {
					rec := instances[i].Do(requests[i])
					arrived[i]()
					if rec.Code != http.StatusOK {
						t.Errorf("round %d: batch %d answered %d %s", round, i, rec.Code, rec.Body)
					}
					return rec.Code
				})
				if statuses[http.StatusOK] != len(batches) {
					t.Fatalf("round %d: statuses %v, want every batch 200", round, statuses)
				}

				// Both roles as the batch committed last wrote them; each written once by each
				// batch, its version bumped by each that changed it (an update to the request
				// type the role has changes nothing): the last always, the first unless the
				// role already had its request type.
				now := stored()
				requestTypes := map[string]bool{}
				for id, w := range now {
					requestTypes[w.requestType] = true
					bumps := int64(1)
					if firstCommitted := map[string]string{"B2B": "B2C", "B2C": "B2B"}[w.requestType]; last[id].requestType != firstCommitted {
						bumps++
					}
					if w.version != last[id].version+bumps {
						t.Fatalf("round %d: role %d at version %d, was %d with request type %q: want %d (written once by each batch)",
							round, id, w.version, last[id].version, last[id].requestType, last[id].version+bumps)
					}
				}
				if len(requestTypes) != 1 || (!requestTypes["B2B"] && !requestTypes["B2C"]) {
					t.Fatalf("round %d: the roles hold request types %v, want both as one batch wrote them", round, requestTypes)
				}
				last = now
				head := auditHeadOf(t, a)
				if events := head - lastHead; events != 4 {
					t.Fatalf("round %d: %d audit events, want 4 (one per part)", round, events)
				}
				lastHead = head
			}
		})
	}
}

// TestConflictAtEveryAttemptIsUnavailable: when PostgreSQL aborts every attempt for a
// conflict (here a trigger failing every update of a role with a serialization failure),
// a batch answers as a single request does once its attempts are spent: 503
// ADF_REST_SERVICE_UNAVAILABLE, nothing applied (not the role created by the batch's first
// part, nor an audit event).
func TestConflictAtEveryAttemptIsUnavailable(t *testing.T) {
	storetest.RequirePostgres(t, "serialization failures are PostgreSQL's")
	cases := []struct {
		name    string
		request func(h *harness) servertest.Request
	}{
		{name: "a single update", request: patchAs("css-admin", servertest.Kim, 3, `{"RequestTypeCd":"B2C"}`)},
		{name: "a batch", request: batchAs("css-admin", parts(
			part("a", patRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			part("b", kimRoles+"/3", "update", `{"RequestTypeCd":"B2C"}`),
		))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newOracleHarness(t, store.Postgres)
			seedRoles(h)
			storetest.Exec(t, h.Database, `CREATE FUNCTION always_in_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'in conflict' USING ERRCODE = 'serialization_failure'; END $$`)
			storetest.Exec(t, h.Database, `CREATE TRIGGER always_in_conflict BEFORE UPDATE ON oracle_self_service_roles
				FOR EACH ROW EXECUTE FUNCTION always_in_conflict()`)
			before, head := h.StoredRoles(), auditHeadOf(t, h)
			servertest.ADFErrorOf(t, h.Do(c.request(h)), http.StatusServiceUnavailable, "ADF_REST_SERVICE_UNAVAILABLE")
			checkWrites(t, before, h.StoredRoles(), nil, nil)
			if got := auditHeadOf(t, h); got != head {
				t.Errorf("audit head %d, want %d (no event)", got, head)
			}
		})
	}
}

// auditHeadOf is the seq of the last audit event of h's database.
func auditHeadOf(t *testing.T, h *harness) int64 {
	t.Helper()
	head, err := h.Store.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// derefOr is *p, or otherwise when p is nil.
func derefOr[T any](p *T, otherwise T) T {
	if p == nil {
		return otherwise
	}
	return *p
}
