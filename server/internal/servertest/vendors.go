package servertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// ReltioFixture adds Reltio customers, roles and principals to BaseFixture.
const ReltioFixture = `
reltio:
  services:
    - id: Custom
      resources: [{id: widgets, privileges: [READ, EXECUTE]}]
  customers:
    - id: TestCustomer
      roles:
        - name: ROLE_RIQ_DEV
        - name: ROLE_ANALYST
          permissions: [{id: MDM, resourcePermissions: [{id: data, allowedPrivileges: [READ]}]}]
    - id: OtherCustomer
      roles:
        - name: ROLE_OTHER
          permissions: [{id: riq, resourcePermissions: [{id: artifacts, allowedPrivileges: [READ]}]}]
users:
  - {login: reltio-admin, name: Admin, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ADMIN_CUSTOMER]}
  - {login: other-admin, name: Other, reltioCustomer: OtherCustomer, reltioRoles: [ROLE_ADMIN_CUSTOMER]}
  - {login: platform-admin, name: Platform, reltioRoles: [ROLE_ADMIN]}
  - {login: scoped-admin, name: Scoped, reltioRoles: [ROLE_ADMIN_CUSTOMER_OtherCustomer]}
  - {login: reltio-user, name: User, reltioCustomer: TestCustomer, reltioRoles: [ROLE_USER]}
clients:
  - {clientId: reltio-sync, name: Sync, type: API, reltioRoles: [ROLE_ADMIN_CUSTOMER_TestCustomer]}
`

// OracleFixture is the Oracle reference data every Oracle test starts from (on top of
// BaseFixture).
const OracleFixture = `
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

func ReltioPath(customer, rest string) string { return "/oauth/customers/" + customer + rest }

// reltioError decodes and checks a Reltio error response.
func ReltioErr(t testing.TB, rec *httptest.ResponseRecorder, status int, code int32) gen.ReltioError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var body gen.ReltioError
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&body); err != nil {
		t.Fatalf("error body is not a Reltio error: %v", err)
	}
	if body.ErrorCode != code || body.Severity != gen.Error || body.ErrorMessage == "" || body.ErrorDetailMessage == nil {
		t.Fatalf("error %+v, want errorCode %d", body, code)
	}
	return body
}

// RolePermissionsOf reads GET .../roles/permissions as the platform administrator and
// returns the named role's entry as JSON ("" when absent).
func (h *Harness) RolePermissionsOf(customer, role string) string {
	h.T.Helper()
	rec := h.Do(Get(h.UserToken("platform-admin"), ReltioPath(customer, "/roles/permissions")))
	if rec.Code != http.StatusOK {
		h.T.Fatalf("list permissions: %d %s", rec.Code, rec.Body)
	}
	var roles []gen.RolePermissions
	if err := json.Unmarshal(rec.Body.Bytes(), &roles); err != nil {
		h.T.Fatal(err)
	}
	for _, r := range roles {
		if r.RoleName == role {
			out, _ := json.Marshal(r.ServicePermissions)
			return string(out)
		}
	}
	return ""
}

// CompactJSON normalizes JSON text so that documents can be compared.
func CompactJSON(t testing.TB, text string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, text)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// Send is a request with a token and a JSON body.
func Send(method, token, path, body string) Request {
	return Request{Method: method, Path: path, Token: token, Body: body}
}

// Party ids of OracleFixture.
const (
	Acme       int64 = 300100000000001
	Globex     int64 = 300100000000002
	PatContact int64 = 300100000000101
	SamContact int64 = 300100000000102
)

// Self-service users of OracleFixture: Pat (100, Acme, registered B2B), Sam (101, Acme and
// Globex), Lee (102, no account), Kim (103, Acme).
const (
	Pat int64 = 100
	Sam int64 = 101
	Lee int64 = 102
	Kim int64 = 103
)

func RolesPath(userID int64) string {
	return fmt.Sprintf("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/%d/child/SelfServiceRoles", userID)
}

func RolePath(userID, roleID int64) string { return fmt.Sprintf("%s/%d", RolesPath(userID), roleID) }

// ADF builds an Oracle request speaking framework version 4 (JSON errors).
func ADF(method, path, token, body string) Request {
	return Request{Method: method, Path: path, Token: token, Body: body,
		Headers: map[string]string{"REST-Framework-Version": "4"}}
}

// With returns r with another header.
func (r Request) With(name, value string) Request {
	headers := map[string]string{}
	for k, v := range r.Headers {
		headers[k] = v
	}
	headers[name] = value
	r.Headers = headers
	return r
}

// ADFErrorOf checks a JSON ADF error response (framework version 4 and later): status,
// media type, code, and a detail with every placeholder filled.
func ADFErrorOf(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) gen.AdfErrorDetail {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.error+json" {
		t.Fatalf("Content-Type %q, want %s; body %s", ct, "application/vnd.oracle.adf.error+json", rec.Body)
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

// ErrorPath is the o:ErrorPath of a detail, or "".
func ErrorPath(d gen.AdfErrorDetail) string {
	if d.OErrorPath == nil {
		return ""
	}
	return *d.OErrorPath
}

// DecodeRole decodes an item response, checking status and media type.
func DecodeRole(t testing.TB, rec *httptest.ResponseRecorder, status int) gen.SelfServiceRole {
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

// DecodeRoles decodes a collection response, checking status and media type.
func DecodeRoles(t testing.TB, rec *httptest.ResponseRecorder) gen.SelfServiceRoleCollection {
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

// OAuthErr checks an RFC 6749 §5.2 error response.
func OAuthErr(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) gen.OAuthError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var body gen.OAuthError
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&body); err != nil {
		t.Fatalf("error body is not RFC 6749's: %v", err)
	}
	if string(body.Error) != code || body.ErrorDescription == nil || *body.ErrorDescription == "" {
		t.Fatalf("error %+v, want %s", body, code)
	}
	if strings.ContainsAny(*body.ErrorDescription, "\"\\") {
		t.Errorf("error_description %q has characters RFC 6749 §5.2 forbids", *body.ErrorDescription)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("error response may be cached")
	}
	if got := rec.Header().Get("WWW-Authenticate"); (status == http.StatusUnauthorized) != strings.HasPrefix(got, "Basic ") {
		t.Errorf("status %d with WWW-Authenticate %q", status, got)
	}
	return body
}

// Get is a GET request with a token.
func Get(token, path string) Request {
	return Request{Method: http.MethodGet, Path: path, Token: token}
}

// Post is an eGain create request with a token.
func Post(token, body string) Request {
	return Request{Method: http.MethodPost, Path: GrantPath, Token: token, Body: body}
}

// StoredRoles reads every stored Oracle role, active or ended, in RoleId order, beside the
// store.
func (h *Harness) StoredRoles() []store.OracleSelfServiceRole {
	h.T.Helper()
	var roles []store.OracleSelfServiceRole
	storetest.Rows(h.T, h.Database, &roles, "role_id")
	return roles
}

// StoredUsers reads every stored Oracle self-service user, in UserId order, beside the
// store.
func (h *Harness) StoredUsers() []store.OracleSelfServiceUser {
	h.T.Helper()
	var users []store.OracleSelfServiceUser
	storetest.Rows(h.T, h.Database, &users, "user_id")
	return users
}
