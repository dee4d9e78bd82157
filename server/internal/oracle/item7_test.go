package oracle_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// fields= with no field: the items carry their links only, on both resources.
func TestFieldsWithNoField(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		token := h.UserToken("css-viewer")
		for _, path := range []string{
			servertest.RolesPath(servertest.Pat) + "?fields=",
			servertest.RolePath(servertest.Pat, 1) + "?fields=",
			usersPath + "?fields=",
			usersPath + "/100?fields=",
		} {
			rec := h.Do(servertest.ADF(http.MethodGet, path, token, ""))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			items := []any{body}
			if listed, ok := body["items"].([]any); ok {
				items = listed
			}
			if len(items) == 0 {
				t.Fatalf("%s: no items", path)
			}
			for _, item := range items {
				keys := slices.Sorted(func(yield func(string) bool) {
					for k := range item.(map[string]any) {
						if !yield(k) {
							return
						}
					}
				})
				if !slices.Equal(keys, []string{"links"}) {
					t.Errorf("%s: item members %v, want links only", path, keys)
				}
			}
		}
		// Blank but for spaces is no selection: every attribute.
		role := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 1)+"?fields=%20", token, "")), http.StatusOK)
		if role.RoleId == nil || role.RelationshipTypeCd == nil {
			t.Errorf("fields=%%20: %+v", role)
		}
	})
}

// orderBy=upper(A)/lower(A) sorts text without regard to case; plain A sorts by bytes.
func TestOrderByCaseFolded(t *testing.T) {
	// Accounts whose names differ in case, each with an administrator of its own.
	const fixture = `
oracle:
  accounts:
    - {partyId: 300100000000011, name: beta corp, partyNumber: CDRM_1011}
    - {partyId: 300100000000012, name: Alpha Corp, partyNumber: CDRM_1012}
    - {partyId: 300100000000013, name: Gamma Corp, partyNumber: CDRM_1013}
  contacts:
    - {partyId: 300100000000111, name: Mixed Case, partyNumber: CDRM_2011, accounts: [300100000000011, 300100000000012, 300100000000013]}
  selfServiceUsers:
    - {userId: 110, loginId: Zed@example.com, contactPartyId: 300100000000111}
`
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, fixture)
		for _, account := range []string{"300100000000011", "300100000000012", "300100000000013"} {
			h.createRole(110, `{"AccountPartyId":`+account+`,"RelationshipTypeCd":"ORA_CSS_USER"}`)
		}
		token := h.UserToken("css-viewer")
		names := func(query string) []string {
			c := servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(110)+"?fields=AccountPartyName&orderBy="+url.QueryEscape(query), token, "")))
			var got []string
			for _, r := range c.Items {
				got = append(got, *r.AccountPartyName)
			}
			return got
		}
		for query, want := range map[string][]string{
			"AccountPartyName":             {"Alpha Corp", "Gamma Corp", "beta corp"},
			"upper(AccountPartyName)":      {"Alpha Corp", "beta corp", "Gamma Corp"},
			"lower(AccountPartyName):asc":  {"Alpha Corp", "beta corp", "Gamma Corp"},
			"UPPER(AccountPartyName):desc": {"Gamma Corp", "beta corp", "Alpha Corp"},
		} {
			if got := names(query); !slices.Equal(got, want) {
				t.Errorf("orderBy=%s: %v, want %v", query, got, want)
			}
		}
		// Users: by bytes Zed@example.com comes before the lower-case logins; folded, last.
		c := h.Do(servertest.ADF(http.MethodGet, usersPath+"?fields=LoginId&orderBy=LoginId", token, ""))
		byBytes := loginsOf(t, c.Body.Bytes())
		c = h.Do(servertest.ADF(http.MethodGet, usersPath+"?fields=LoginId&orderBy=lower(LoginId)", token, ""))
		folded := loginsOf(t, c.Body.Bytes())
		if byBytes[0] != "Zed@example.com" || folded[len(folded)-1] != "Zed@example.com" {
			t.Errorf("users by bytes %v, folded %v", byBytes, folded)
		}
	})
}

func loginsOf(t *testing.T, body []byte) []string {
	t.Helper()
	var c gen.SelfServiceUserCollection
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, u := range c.Items {
		logins = append(logins, *u.LoginId)
	}
	return logins
}

// orderBy refusals, on the roles.
func TestOrderByCaseFoldRules(t *testing.T) {
	get := func(query string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			return servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?orderBy="+url.QueryEscape(query), h.UserToken("css-viewer"), "")
		}
	}
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "upper of a text attribute", status: 200, request: get("upper(RelationshipTypeCd):desc")},
		{name: "upper of a number", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("upper(RoleId)")},
		{name: "lower of a date", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("lower(CreationDate)")},
		{name: "upper of an unknown attribute", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("upper(Colour)")},
		{name: "another function", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("trim(LoginId)")},
		{name: "an unclosed upper", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("upper(LoginId")},
		{name: "upper of a flag", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("upper(CanDeleteFlag)")},
	})
}

// dependency previews a change on GET and stores nothing.
func TestDependencyPreview(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		before := h.fullRoleStates()
		token := h.UserToken("css-viewer")
		rec := h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 2)+"?dependency="+url.QueryEscape("RelationshipTypeCd=ORA_CSS_ACC_MANAGER,RequestTypeCd=B2C"), token, ""))
		role := servertest.DecodeRole(t, rec, http.StatusOK)
		if *role.RelationshipTypeCd != "ORA_CSS_ACC_MANAGER" || *role.RoleValue != "Account Manager" || *role.RequestTypeCd != "B2C" {
			t.Errorf("preview %s", jsonOf(role))
		}
		if rec.Header().Get("ETag") != "" {
			t.Errorf("a preview carries ETag %q", rec.Header().Get("ETag"))
		}
		// Not a 304 either, though the tag is current.
		rec = h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 2)+"?dependency=RequestTypeCd=B2C", token, "").With("If-None-Match", etagOf(2, 1)))
		if rec.Code != http.StatusOK {
			t.Errorf("preview with a current If-None-Match: %d", rec.Code)
		}
		if after := h.fullRoleStates(); !slices.Equal(after, before) {
			t.Errorf("a preview wrote:\n before %v\n  after %v", before, after)
		}
		role = servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 2), token, "")), http.StatusOK)
		if *role.RelationshipTypeCd != "ORA_CSS_USER" {
			t.Errorf("after the preview %s", jsonOf(role))
		}
	})
}

func TestDependencyRules(t *testing.T) {
	get := func(path, dependency string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			return servertest.ADF(http.MethodGet, path+"?dependency="+url.QueryEscape(dependency), h.UserToken("css-viewer"), "")
		}
	}
	role2 := servertest.RolePath(servertest.Pat, 2)
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "blank on a role", status: 200, request: get(role2, "")},
		{name: "blank on the roles", status: 200, request: get(servertest.RolesPath(servertest.Pat), "")},
		{name: "blank on the users", status: 200, request: get(usersPath, "")},
		{name: "blank on a user", status: 200, request: get(usersPath+"/100", "")},
		{name: "a disabled code", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd", request: get(role2, "RelationshipTypeCd=ORA_CSS_RETIRED")},
		{name: "an unknown request type", status: 400, code: "SVC_CSS_INVALID_REQUEST_TYPE", path: "RequestTypeCd", request: get(role2, "RequestTypeCd=B2Z")},
		{name: "a read-only attribute", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(role2, "RoleValue=x")},
		{name: "an attribute fixed once created", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(role2, "LoginId=x")},
		{name: "an unknown attribute", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(role2, "Colour=red")},
		{name: "no =", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(role2, "RelationshipTypeCd")},
		{name: "an attribute twice", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(role2, "RequestTypeCd=B2B,RequestTypeCd=B2C")},
		{name: "an ended role", status: 400, code: "SVC_CSS_ROLE_ENDED", path: "RoleId", request: get(servertest.RolePath(servertest.Kim, 6), "RequestTypeCd=B2C")},
		{name: "a user attribute on the roles", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(servertest.RolesPath(servertest.Pat), "LoginId=x")},
		{name: "a user attribute on a user", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(usersPath+"/100", "LoginId=x")},
		{name: "an unknown attribute on the users", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "dependency", request: get(usersPath, "Colour=red")},
		{name: "on a role that does not exist", status: 404, code: "JBO-25020", path: "RoleId", request: get(servertest.RolePath(servertest.Pat, 99), "RequestTypeCd=B2C")},
	})
}
