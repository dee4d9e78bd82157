package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// oracleFixture is the Oracle reference data every Oracle test starts from (on top of
// baseFixture).
const oracleFixture = `
oracle:
  lookups:
    ORA_SVC_CSS_REL_TYPE_CD:
      - {code: ORA_CSS_USER, meaning: User}
      - {code: ORA_CSS_ACC_ADMIN, meaning: Account Administrator}
      - {code: ORA_CSS_ACC_MANAGER, meaning: Account Manager}
      - {code: ORA_CSS_RETIRED, meaning: Retired role, enabled: false}
    ORA_SVC_CSS_REQ_TYPE_CD:
      - {code: B2B, meaning: Business to business}
      - {code: B2C, meaning: Business to consumer}
      - {code: B2X, meaning: Retired request type, enabled: false}
  accounts:
    - {partyId: 300100000000001, name: Acme Corp, partyNumber: CDRM_1001}
    - {partyId: 300100000000002, name: Globex, partyNumber: CDRM_1002}
  contacts:
    - {partyId: 300100000000101, name: Pat Doe, partyNumber: CDRM_2001, email: pat@example.com, accounts: [300100000000001]}
    - {partyId: 300100000000102, name: Sam Roe, partyNumber: CDRM_2002, email: sam@example.com, accounts: [300100000000001, 300100000000002]}
    - {partyId: 300100000000103, name: Lee Poe, partyNumber: CDRM_2003}
    - {partyId: 300100000000104, name: Kim Moe, partyNumber: CDRM_2004, email: kim@example.com, accounts: [300100000000001]}
  selfServiceUsers:
    - {userId: 100, loginId: pat@example.com, contactPartyId: 300100000000101}
    - {userId: 101, loginId: sam@example.com, contactPartyId: 300100000000102}
    - {userId: 102, loginId: lee, contactPartyId: 300100000000103}
    - {userId: 103, loginId: kim@example.com, contactPartyId: 300100000000104}
  registrations:
    - {registrationId: 5001, userId: 100, accountPartyId: 300100000000001, requestTypeCd: B2B}
users:
  - {login: css-admin, name: CSS admin, privileges: [SVC_MANAGE_SELF_SERVICE_ROLES_PRIV]}
  - {login: css-super, name: CSS super admin, privileges: [SVC_MANAGE_SELF_SERVICE_ROLES_PRIV, SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV]}
  - {login: css-viewer, name: CSS viewer, privileges: [SVC_VIEW_SELF_SERVICE_ROLES_PRIV]}
  - {login: css-none, name: No Oracle privileges}
`

// Party ids of oracleFixture.
const (
	acme       int64 = 300100000000001
	globex     int64 = 300100000000002
	patContact int64 = 300100000000101
	samContact int64 = 300100000000102
)

// Self-service users of oracleFixture: pat (100, Acme, registered B2B), sam (101, Acme and
// Globex), lee (102, no account), kim (103, Acme).
const (
	pat int64 = 100
	sam int64 = 101
	lee int64 = 102
	kim int64 = 103
)

// newOracleHarness is newHarness with oracleFixture, then each extra fixture.
func newOracleHarness(t testing.TB, dialect store.Dialect, extraFixtures ...string) *harness {
	t.Helper()
	return newHarness(t, dialect, append([]string{oracleFixture}, extraFixtures...)...)
}

func rolesPath(userID int64) string {
	return fmt.Sprintf("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/%d/child/SelfServiceRoles", userID)
}

func rolePath(userID, roleID int64) string { return fmt.Sprintf("%s/%d", rolesPath(userID), roleID) }

// adf builds an Oracle request speaking framework version 4 (JSON errors).
func adf(method, path, token, body string) request {
	return request{method: method, path: path, token: token, body: body,
		headers: map[string]string{headerFrameworkVersion: "4"}}
}

// with returns r with another header.
func (r request) with(name, value string) request {
	headers := map[string]string{}
	for k, v := range r.headers {
		headers[k] = v
	}
	headers[name] = value
	r.headers = headers
	return r
}

// adfErrorOf checks a JSON ADF error response (framework version 4 and later): status,
// media type, code, and a detail with every placeholder filled.
func adfErrorOf(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) gen.AdfErrorDetail {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != mediaTypeADFError {
		t.Fatalf("Content-Type %q, want %s; body %s", ct, mediaTypeADFError, rec.Body)
	}
	var body gen.AdfError
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&body); err != nil {
		t.Fatalf("error body is not an ADF error: %v", err)
	}
	if body.Status != fmt.Sprint(status) || body.Title != http.StatusText(status) || len(body.OErrorDetails) != 1 {
		t.Fatalf("error body %+v", body)
	}
	detail := body.OErrorDetails[0]
	if detail.OErrorCode != code {
		t.Fatalf("o:errorCode %q, want %q (%s)", detail.OErrorCode, code, detail.Detail)
	}
	if detail.Detail == "" || strings.Contains(detail.Detail, "%!") {
		t.Fatalf("detail %q is empty or badly formatted", detail.Detail)
	}
	return detail
}

// errorPath is the o:errorPath of a detail, or "".
func errorPath(d gen.AdfErrorDetail) string {
	if d.OErrorPath == nil {
		return ""
	}
	return *d.OErrorPath
}

// decodeRole decodes an item response, checking status and media type.
func decodeRole(t testing.TB, rec *httptest.ResponseRecorder, status int) gen.SelfServiceRole {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.resourceitem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var role gen.SelfServiceRole
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&role); err != nil {
		t.Fatalf("item: %v", err)
	}
	return role
}

// decodeRoles decodes a collection response, checking status and media type.
func decodeRoles(t testing.TB, rec *httptest.ResponseRecorder) gen.SelfServiceRoleCollection {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d; body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.resourcecollection+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var collection gen.SelfServiceRoleCollection
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&collection); err != nil {
		t.Fatalf("collection: %v", err)
	}
	return collection
}

// createRole creates a role as css-super and returns its id.
func (h *harness) createRole(userID int64, body string) int64 {
	h.t.Helper()
	rec := h.do(adf(http.MethodPost, rolesPath(userID), h.userToken("css-super"), body))
	role := decodeRole(h.t, rec, http.StatusCreated)
	return *role.RoleId
}

// storedRoles reads every stored role, active or ended, in RoleId order, beside the store.
func (h *harness) storedRoles() []store.OracleSelfServiceRole {
	h.t.Helper()
	var roles []store.OracleSelfServiceRole
	storetest.Rows(h.t, h.database, &roles, "role_id")
	return roles
}

// oracleRoles describes every stored role as roleState does, to check what a request wrote.
func (h *harness) oracleRoles() []string {
	h.t.Helper()
	return describeRoles(h.storedRoles(), shortRoleState)
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

// fullRoleStates describes every stored role as fullRoleState does.
func (h *harness) fullRoleStates() []string {
	h.t.Helper()
	return describeRoles(h.storedRoles(), fullRoleState)
}

// An Oracle rule case: a request against oracleFixture (plus fixtures and prepare) and the
// response it must get.
type oracleCase struct {
	name     string
	fixtures []string
	request  func(h *harness) request
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
			forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := newOracleHarness(t, dialect, tc.fixtures...)
				if prepare != nil {
					prepare(h)
				}
				before := h.storedRoles()
				rec := h.do(tc.request(h))
				if tc.code != "" {
					detail := adfErrorOf(t, rec, tc.status, tc.code)
					if got := errorPath(detail); got != tc.path {
						t.Errorf("o:errorPath %q, want %q (%s)", got, tc.path, detail.Detail)
					}
				} else if rec.Code != tc.status {
					t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
				}
				checkWrites(t, before, h.storedRoles(), tc.after, tc.requestTypes)
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

// roleState describes a stored role as oracleRoles does.
func roleState(roleID, userID, account int64, relationshipType, state string) string {
	return fmt.Sprintf("%d:%d:%d:%s:%s", roleID, userID, account, relationshipType, state)
}
