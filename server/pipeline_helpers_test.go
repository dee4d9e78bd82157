package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// The helpers of the vendors' tests that the whole-stack tests of this package use too,
// copied from them (the token endpoint's, the grants', Oracle's): a vendor's tests live in
// its own package now.

// Secrets of the token endpoint's tests; the second needs form-urlencoding in Basic.
const (
	crmSyncSecret    = "crm-sync-secret-0123456789"
	reltioSyncSecret = "reltio:sync+secret%2F0123456789"
)

var tokenFixture = `
clients:
  - {clientId: crm-sync, name: CRM sync, type: API, secret: ` + crmSyncSecret + `}
  - {clientId: reltio-sync, name: Sync, type: API, reltioRoles: [ROLE_ADMIN_CUSTOMER_TestCustomer], secret: "` + reltioSyncSecret + `"}
`

// tokenRequest is a POST /oauth/token with a form body and, when clientID is set, HTTP
// Basic client authentication.
type tokenRequest struct {
	clientID, secret string
	form             url.Values
	headers          map[string]string
	// from is the peer's address, "192.0.2.1:1234" when empty.
	from string
}

func requestToken(h *servertest.Harness, tr tokenRequest) *httptest.ResponseRecorder {
	h.T.Helper()
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(tr.form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tr.clientID != "" {
		req.SetBasicAuth(url.QueryEscape(tr.clientID), url.QueryEscape(tr.secret))
	}
	for k, v := range tr.headers {
		req.Header.Set(k, v)
	}
	if tr.from != "" {
		req.RemoteAddr = tr.from
	}
	rec := httptest.NewRecorder()
	h.E.ServeHTTP(rec, req)
	servertest.CheckFollowsSpec(h.T, req, rec)
	return rec
}

func clientCredentialsForm(pairs ...string) url.Values {
	form := url.Values{"grant_type": {"client_credentials"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Set(pairs[i], pairs[i+1])
	}
	return form
}

// idRange returns n consecutive customer ids from first.
func idRange(first, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(first + i)
	}
	return ids
}

// manyCustomers is a fixture of n individual customers of department 10 from id first.
func manyCustomers(first, n int) string {
	var b strings.Builder
	b.WriteString("customers:\n")
	for _, id := range idRange(first, n) {
		fmt.Fprintf(&b, "  - {id: %q, name: Customer %s, type: individual, department: 10}\n", id, id)
	}
	return b.String()
}

// concurrently runs n calls at once and counts their statuses.
func concurrently(n int, call func(i int) int) map[int]int {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		statuses = map[int]int{}
		start    = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status := call(i)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// activeRoles counts the stored active roles matching user, account and relationship type
// (0 matches any user).
func activeRoles(h *servertest.Harness, userID, account int64, relationshipType string) int {
	n := 0
	for _, role := range oracleRoles(h) {
		var id, user, acc int64
		var rest string
		fmt.Sscanf(role, "%d:%d:%d:%s", &id, &user, &acc, &rest)
		if (userID == 0 || user == userID) && acc == account && rest == relationshipType+":active" {
			n++
		}
	}
	return n
}

// storedRoles reads every stored role, active or ended, in RoleId order, beside the store.
func storedRoles(h *servertest.Harness) []store.OracleSelfServiceRole {
	h.T.Helper()
	var roles []store.OracleSelfServiceRole
	storetest.Rows(h.T, h.Database, &roles, "role_id")
	return roles
}

// oracleRoles describes every stored role as roleState does, to check what a request wrote.
func oracleRoles(h *servertest.Harness) []string {
	h.T.Helper()
	return describeRoles(storedRoles(h), shortRoleState)
}

// describeRoles describes each role as describe does.
func describeRoles(roles []store.OracleSelfServiceRole, describe func(store.OracleSelfServiceRole) string) []string {
	described := make([]string, len(roles))
	for i, r := range roles {
		described[i] = describe(r)
	}
	return described
}

// shortRoleState is what a test says of a role it expects: "RoleId:UserId:account:type:active|ended".
func shortRoleState(r store.OracleSelfServiceRole) string {
	state := "active"
	if r.EndDate != nil {
		state = "ended"
	}
	return roleState(r.RoleID, r.UserID, r.AccountPartyID, r.RelationshipTypeCd, state)
}

// fullRoleState adds to shortRoleState every column a write changes: the request type, the
// registration, the end date and the who-columns.
func fullRoleState(r store.OracleSelfServiceRole) string {
	stamp := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	requestType, registration := "-", "-"
	if r.RequestTypeCd != nil {
		requestType = *r.RequestTypeCd
	}
	if r.RegistrationID != nil {
		registration = fmt.Sprint(*r.RegistrationID)
	}
	return fmt.Sprintf("%s request=%s registration=%s ended=%s updated=%s@%s/%s", shortRoleState(r), requestType, registration,
		stamp(r.EndDate), r.LastUpdatedBy, stamp(&r.LastUpdateDate), r.LastUpdateLogin)
}

// roleState describes a stored role as oracleRoles does.
func roleState(roleID, userID, account int64, relationshipType, state string) string {
	return fmt.Sprintf("%d:%d:%d:%s:%s", roleID, userID, account, relationshipType, state)
}

// An Oracle rule case: a request against servertest.OracleFixture (plus fixtures and
// prepare) and the response it must get.
type oracleCase struct {
	name     string
	fixtures []string
	request  func(h *servertest.Harness) servertest.Request
	status   int
	// code and path are the o:errorCode and o:errorPath of an error response.
	code string
	path string
	// after lists the roles stored once the request is done (see oracleRoles); nil means
	// unchanged.
	after []string
	// requestTypes are the request types the request stores, by RoleId ("" for none): the
	// roles it changes without changing what after shows.
	requestTypes map[int64]string
}

// runOracleCases runs each case on a fresh database per dialect, prepared by prepare (when
// not nil), and checks the response and the roles stored afterwards: a refused request
// changes nothing, and a request changes no role but those it is expected to.
func runOracleCases(t *testing.T, prepare func(h *servertest.Harness), cases []oracleCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := servertest.New(t, dialect, append([]string{servertest.OracleFixture}, tc.fixtures...)...)
				if prepare != nil {
					prepare(h)
				}
				before := storedRoles(h)
				rec := h.Do(tc.request(h))
				if tc.code != "" {
					detail := servertest.ADFErrorOf(t, rec, tc.status, tc.code)
					if got := servertest.ErrorPath(detail); got != tc.path {
						t.Errorf("o:errorPath %q, want %q (%s)", got, tc.path, detail.Detail)
					}
				} else if rec.Code != tc.status {
					t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
				}
				checkWrites(t, before, storedRoles(h), tc.after, tc.requestTypes)
			})
		})
	}
}

// checkWrites compares the roles stored after a request with those before it: their states
// are want (nil: as before); a role whose state changed, or which requestTypes names, was
// written with the request type asked for and stamped who-columns; every other role was not
// written at all.
func checkWrites(t *testing.T, before, after []store.OracleSelfServiceRole, want []string, requestTypes map[int64]string) {
	t.Helper()
	if want == nil {
		want = describeRoles(before, shortRoleState)
	}
	if got := describeRoles(after, shortRoleState); !slices.Equal(got, want) {
		t.Fatalf("stored roles %v, want %v", got, want)
	}
	for _, old := range before {
		i := slices.IndexFunc(after, func(r store.OracleSelfServiceRole) bool { return r.RoleID == old.RoleID })
		if i < 0 {
			t.Errorf("role %d is gone", old.RoleID)
			continue
		}
		now := after[i]
		requestType, named := requestTypes[now.RoleID]
		if !named && shortRoleState(now) == shortRoleState(old) {
			if fullRoleState(now) != fullRoleState(old) {
				t.Errorf("role %d was written:\n before %s\n  after %s", now.RoleID, fullRoleState(old), fullRoleState(now))
			}
			continue
		}
		if named && ((now.RequestTypeCd == nil) != (requestType == "") || (now.RequestTypeCd != nil && *now.RequestTypeCd != requestType)) {
			t.Errorf("role %d: stored %s, want request type %q", now.RoleID, fullRoleState(now), requestType)
		}
		if !now.LastUpdateDate.After(old.LastUpdateDate) || now.LastUpdatedBy == "" {
			t.Errorf("role %d changed without its who-columns stamped:\n before %s\n  after %s", now.RoleID, fullRoleState(old), fullRoleState(now))
		}
	}
}
