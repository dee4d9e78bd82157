package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// customerOperation is the one operation a signed-in customer's token reaches.
const customerOperation = "getCustomerGrantsContext"

// TestCustomerTokenReach sends a signed-in customer's token (eGain's oAuthCustomer) to
// every operation of the spec, as the valid baseline the hostile corpus builds for it with
// the token replaced: only getCustomerGrantsContext answers; every other operation refuses
// it (403-105 on eGain's paths, its vendor's refusal elsewhere) and the database is
// unchanged after each.
func TestCustomerTokenReach(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, corpusFixtures...)
		if rec := h.Do(servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("1000", "1002"))); rec.Code != http.StatusCreated {
			t.Fatalf("seed grant: %d %s", rec.Code, rec.Body)
		}
		customer := h.CustomerToken("1002")
		g := &corpusGenerator{t: t, spec: corpusSpec(t), token: func(kind auth.PrincipalKind, subject string) string { return h.Token(kind, subject) }, seen: map[string]bool{}}
		snapshot := storetest.Snapshotter(t, h.Database)
		before := snapshot()
		operations, answered := 0, 0
		for _, o := range corpusOperations(g.spec) {
			operations++
			security := g.spec.Security
			if o.op.Security != nil {
				security = *o.op.Security
			}
			row := g.baseline(o, security[0])
			row.header.Set("Authorization", "Bearer "+customer)
			rec := serveRow(t, h, row)
			where := o.method + " " + o.path + " (" + o.op.OperationID + ")"
			if strings.EqualFold(o.op.OperationID, customerOperation) {
				answered++
				if rec.Code != http.StatusOK {
					t.Errorf("%s: the customer's own grants: %d %s", where, rec.Code, rec.Body)
				}
				continue
			}
			switch {
			case servertest.IsEgainPath(o.path):
				if rec.Code != http.StatusForbidden {
					t.Errorf("%s: %d, want 403-105", where, rec.Code)
				}
				servertest.WSError(t, rec, http.StatusForbidden, "403-105")
			case strings.HasPrefix(o.path, "/oauth/token"):
				// Client authentication is HTTP Basic: a bearer token authenticates no client.
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("%s: %d, want 401: %s", where, rec.Code, rec.Body)
				}
			case rec.Code != http.StatusForbidden && rec.Code != http.StatusUnauthorized:
				t.Errorf("%s: %d, want a refusal: %s", where, rec.Code, rec.Body)
			}
			if problem := vendorShapeProblem(row, rec); problem != "" {
				t.Errorf("%s: %s: %s", where, problem, rec.Body)
			}
			if after := snapshot(); before.Diff(after) != "" {
				t.Errorf("%s answered %d but the database changed:\n%s", where, rec.Code, before.Diff(after))
				before = after
			}
		}
		if answered != 1 || operations < 10 {
			t.Fatalf("%d operations sent, %d answered the customer; want every operation and exactly %s", operations, answered, customerOperation)
		}
	})
}
