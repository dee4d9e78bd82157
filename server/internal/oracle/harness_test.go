package oracle_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// harness is servertest's whole-stack harness with what the Oracle tests read of the roles
// stored. It keeps the links of every response it serves, and follows them when the test
// ends (followLinks).
type harness struct {
	*servertest.Harness
	mu    sync.Mutex
	hrefs map[string]string // href → the request whose response carried it
}

// newOracleHarness is servertest.New with servertest.OracleFixture, then each extra fixture.
func newOracleHarness(t testing.TB, dialect store.Dialect, extraFixtures ...string) *harness {
	t.Helper()
	h := &harness{Harness: servertest.New(t, dialect, append([]string{servertest.OracleFixture}, extraFixtures...)...), hrefs: map[string]string{}}
	if tt, ok := t.(*testing.T); ok {
		tt.Cleanup(func() { h.followLinks(tt) })
	}
	return h
}

// Do is servertest's Do, keeping the hrefs of the response's links.
func (h *harness) Do(r servertest.Request) *httptest.ResponseRecorder {
	h.T.Helper()
	rec := h.Harness.Do(r)
	if strings.Contains(rec.Header().Get("Content-Type"), "json") {
		var body any
		if json.Unmarshal(rec.Body.Bytes(), &body) == nil {
			h.mu.Lock()
			if h.hrefs == nil {
				h.hrefs = map[string]string{}
			}
			collectHrefs(body, func(href string) {
				if _, seen := h.hrefs[href]; !seen {
					h.hrefs[href] = r.Method + " " + r.Path
				}
			})
			h.mu.Unlock()
		}
	}
	return rec
}

// collectHrefs calls found with every "href" string anywhere in a decoded JSON value.
func collectHrefs(v any, found func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, member := range v {
			if href, ok := member.(string); ok && k == "href" {
				found(href)
			}
			collectHrefs(member, found)
		}
	case []any:
		for _, member := range v {
			collectHrefs(member, found)
		}
	}
}

// followLinks GETs every href the test's responses carried, as a user holding every Oracle
// privilege, and fails on any answer but 200: a client following Oracle's links never
// reaches a resource this service does not serve. It runs when the test ends, and earlier when the test calls it (before it breaks the
// database); it follows each link once.
func (h *harness) followLinks(t *testing.T) {
	h.mu.Lock()
	hrefs := h.hrefs
	h.hrefs = map[string]string{}
	h.mu.Unlock()
	if t.Failed() || len(hrefs) == 0 {
		return
	}
	token := h.UserToken("css-super")
	for _, href := range slices.Sorted(maps.Keys(hrefs)) {
		if rec := h.Harness.Do(servertest.ADF(http.MethodGet, href, token, "")); rec.Code != http.StatusOK {
			t.Errorf("link %s (in the response to %s): GET answered %d %s", href, hrefs[href], rec.Code, rec.Body)
		}
	}
}

// createRole creates a role as css-super and returns its id.
func (h *harness) createRole(userID int64, body string) int64 {
	h.T.Helper()
	rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(userID), h.UserToken("css-super"), body))
	role := servertest.DecodeRole(h.T, rec, http.StatusCreated)
	return *role.RoleId
}

// oracleRoles describes every stored role as roleState does, to check what a request wrote.
func (h *harness) oracleRoles() []string {
	h.T.Helper()
	return describeRoles(h.StoredRoles(), shortRoleState)
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
// registration, the end date, the who-columns and the version.
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
	return fmt.Sprintf("%s request=%s registration=%s ended=%s updated=%s@%s/%s version=%d", shortRoleState(r), requestType, registration,
		stamp(r.EndDate), r.LastUpdatedBy, stamp(&r.LastUpdateDate), r.LastUpdateLogin, r.RowVersion)
}

// fullRoleStates describes every stored role as fullRoleState does.
func (h *harness) fullRoleStates() []string {
	h.T.Helper()
	return describeRoles(h.StoredRoles(), fullRoleState)
}

// An Oracle rule case: a request against servertest.OracleFixture (plus fixtures and
// prepare) and the response it must get.
type oracleCase struct {
	name     string
	fixtures []string
	request  func(h *harness) servertest.Request
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
func runOracleCases(t *testing.T, prepare func(h *harness), cases []oracleCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := newOracleHarness(t, dialect, tc.fixtures...)
				if prepare != nil {
					prepare(h)
				}
				before := h.StoredRoles()
				rec := h.Do(tc.request(h))
				if tc.code != "" {
					detail := servertest.ADFErrorOf(t, rec, tc.status, tc.code)
					if got := servertest.ErrorPath(detail); got != tc.path {
						t.Errorf("o:errorPath %q, want %q (%s)", got, tc.path, detail.Detail)
					}
				} else if rec.Code != tc.status {
					t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
				}
				checkWrites(t, before, h.StoredRoles(), tc.after, tc.requestTypes)
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
		if now.RowVersion != old.RowVersion+1 {
			t.Errorf("role %d was written without its version bumped once:\n before %s\n  after %s", now.RoleID, fullRoleState(old), fullRoleState(now))
		}
	}
}

// roleState describes a stored role as oracleRoles does.
func roleState(roleID, userID, account int64, relationshipType, state string) string {
	return fmt.Sprintf("%d:%d:%d:%s:%s", roleID, userID, account, relationshipType, state)
}

// selfIndicator is the changeIndicator of the self link among links, or nil.
func selfIndicator(links *[]gen.AdfLink) *string {
	if links == nil {
		return nil
	}
	for _, l := range *links {
		if l.Rel == "self" && l.Properties != nil {
			return l.Properties.ChangeIndicator
		}
	}
	return nil
}

// getAs makes the requests of a rules table: a GET of base+path as the user login (no token
// when login is empty).
func getAs(base string) func(login, path string) func(h *harness) servertest.Request {
	return func(login, path string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			var token string
			if login != "" {
				token = h.UserToken(login)
			}
			return servertest.ADF(http.MethodGet, base+path, token, "")
		}
	}
}
