package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// reltioFixture adds Reltio customers, roles and principals to baseFixture.
const reltioFixture = `
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

func newReltioHarness(t testing.TB, dialect store.Dialect, extra ...string) *harness {
	return newHarness(t, dialect, append([]string{reltioFixture}, extra...)...)
}

func reltioPath(customer, rest string) string { return "/oauth/customers/" + customer + rest }

// reltioError decodes and checks a Reltio error response.
func reltioErr(t testing.TB, rec *httptest.ResponseRecorder, status int, code int32) gen.ReltioError {
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

// rolePermissionsOf reads GET .../roles/permissions as the platform administrator and
// returns the named role's entry as JSON ("" when absent).
func (h *harness) rolePermissionsOf(customer, role string) string {
	h.t.Helper()
	rec := h.do(get(h.userToken("platform-admin"), reltioPath(customer, "/roles/permissions")))
	if rec.Code != http.StatusOK {
		h.t.Fatalf("list permissions: %d %s", rec.Code, rec.Body)
	}
	var roles []gen.RolePermissions
	if err := json.Unmarshal(rec.Body.Bytes(), &roles); err != nil {
		h.t.Fatal(err)
	}
	for _, r := range roles {
		if r.RoleName == role {
			out, _ := json.Marshal(r.ServicePermissions)
			return string(out)
		}
	}
	return ""
}

// customerRoleNames reads GET .../roles as the platform administrator.
func (h *harness) customerRoleNames(customer string) string {
	h.t.Helper()
	rec := h.do(get(h.userToken("platform-admin"), reltioPath(customer, "/roles")))
	if rec.Code != http.StatusOK {
		h.t.Fatalf("list roles: %d %s", rec.Code, rec.Body)
	}
	return compactJSON(h.t, rec.Body.String())
}

// compactJSON normalizes JSON text so that documents can be compared.
func compactJSON(t testing.TB, text string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, text)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func send(method, token, path, body string) request {
	return request{method: method, path: path, token: token, body: body}
}
