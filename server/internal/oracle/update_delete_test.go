package oracle_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// seedRoles stores: 1 pat's administrator role on Acme (its only one), 2 pat's user role
// on Acme, 3 kim's user role on Acme, 4 sam's administrator role on Globex (its only one),
// 5 sam's user role on Acme, 6 kim's manager role on Acme, ended.
func seedRoles(h *harness) {
	h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
	h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
	h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
	h.createRole(servertest.Sam, `{"AccountPartyId":300100000000002,"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
	h.createRole(servertest.Sam, `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_USER"}`)
	ended := h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)
	if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, ended), h.UserToken("css-super"), "")); rec.Code != http.StatusNoContent {
		h.T.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
}

// seededRoles are the roles seedRoles stores.
var seededRoles = []string{
	roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "active"),
	roleState(2, servertest.Pat, servertest.Acme, "ORA_CSS_USER", "active"),
	roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_USER", "active"),
	roleState(4, servertest.Sam, servertest.Globex, "ORA_CSS_ACC_ADMIN", "active"),
	roleState(5, servertest.Sam, servertest.Acme, "ORA_CSS_USER", "active"),
	roleState(6, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_MANAGER", "ended"),
}

// seededWith returns seededRoles with role id (1-based) described as state instead.
func seededWith(changes map[int]string) []string {
	roles := slices.Clone(seededRoles)
	for id, state := range changes {
		roles[id-1] = state
	}
	return roles
}

func patchAs(login string, userID, roleID int64, body string) func(h *harness) servertest.Request {
	return func(h *harness) servertest.Request {
		return servertest.ADF(http.MethodPatch, servertest.RolePath(userID, roleID), h.UserToken(login), body)
	}
}

func deleteAs(login string, userID, roleID int64) func(h *harness) servertest.Request {
	return func(h *harness) servertest.Request {
		var token string
		if login != "" {
			token = h.UserToken(login)
		}
		return servertest.ADF(http.MethodDelete, servertest.RolePath(userID, roleID), token, "")
	}
}

func TestUpdateSelfServiceRoleRules(t *testing.T) {
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "change the request type", status: 200, request: patchAs("css-admin", servertest.Pat, 2, `{"RequestTypeCd":"B2C"}`),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "change the relationship type", status: 200, request: patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			after: seededWith(map[int]string{2: roleState(2, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active")})},
		{name: "as an ADF resource item", status: 200,
			request: func(h *harness) servertest.Request {
				return patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)(h).With("Content-Type", "application/vnd.oracle.adf.resourceitem+json")
			},
			after: seededWith(map[int]string{2: roleState(2, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active")})},
		{name: "as an ADF resource item in capitals", status: 200,
			request: func(h *harness) servertest.Request {
				return patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)(h).With("Content-Type", "APPLICATION/VND.ORACLE.ADF.RESOURCEITEM+JSON; charset=UTF-8")
			},
			after: seededWith(map[int]string{2: roleState(2, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active")})},
		{name: "make a second administrator", status: 200, request: patchAs("css-admin", servertest.Kim, 3, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`),
			after: seededWith(map[int]string{3: roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_ADMIN", "active")})},
		{name: "nothing to change", status: 200, request: patchAs("css-admin", servertest.Pat, 2, `{}`)},
		{name: "the values it has", status: 200, request: patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2B"}`)},
		{name: "the last administrator of an account, without the privilege", status: 400, code: "SVC_CSS_LAST_ACCOUNT_ADMIN", path: "RoleId",
			request: patchAs("css-admin", servertest.Pat, 1, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)},
		{name: "the last administrator of an account, with the privilege", status: 200,
			request: patchAs("css-super", servertest.Pat, 1, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			after:   seededWith(map[int]string{1: roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active")})},
		{name: "to a type the user holds on the account already", status: 400, code: "JBO-25013", path: "RelationshipTypeCd",
			request: patchAs("css-super", servertest.Pat, 1, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "a disabled relationship type", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd",
			request: patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`)},
		{name: "an unknown relationship type", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd",
			request: patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_BOSS"}`)},
		{name: "a disabled request type", status: 400, code: "SVC_CSS_INVALID_REQUEST_TYPE", path: "RequestTypeCd",
			request: patchAs("css-admin", servertest.Pat, 2, `{"RequestTypeCd":"B2X"}`)},
		{name: "the account", status: 400, code: "JBO-27008", path: "AccountPartyId",
			request: patchAs("css-admin", servertest.Sam, 5, `{"AccountPartyId":300100000000002}`)},
		{name: "the account, unchanged", status: 400, code: "JBO-27008", path: "AccountPartyId",
			request: patchAs("css-admin", servertest.Pat, 2, `{"AccountPartyId":300100000000001,"RequestTypeCd":"B2C"}`)},
		{name: "the contact", status: 400, code: "JBO-27008", path: "ContactPartyId",
			request: patchAs("css-admin", servertest.Pat, 2, `{"ContactPartyId":300100000000101}`)},
		{name: "the login", status: 400, code: "JBO-27008", path: "LoginId",
			request: patchAs("css-admin", servertest.Pat, 2, `{"LoginId":"pat@example.com"}`)},
		{name: "a read-only attribute", status: 400, code: "JBO-27008", path: "EndDate",
			request: patchAs("css-admin", servertest.Pat, 2, `{"EndDate":"2026-01-01"}`)},
		{name: "an unknown attribute", status: 400, code: "JBO-25058", path: "Colour",
			request: patchAs("css-admin", servertest.Pat, 2, `{"Colour":"red"}`)},
		{name: "a relationship type too long", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "RelationshipTypeCd",
			request: patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"`+strings.Repeat("X", 321)+`"}`)},
		{name: "an ended role", status: 400, code: "SVC_CSS_ROLE_ENDED", path: "RoleId",
			request: patchAs("css-admin", servertest.Kim, 6, `{"RequestTypeCd":"B2C"}`)},
		{name: "a role of another user", status: 404, code: "JBO-25020", path: "RoleId",
			request: patchAs("css-admin", servertest.Pat, 3, `{"RequestTypeCd":"B2C"}`)},
		{name: "a role that does not exist", status: 404, code: "JBO-25020", path: "RoleId",
			request: patchAs("css-admin", servertest.Pat, 99, `{"RequestTypeCd":"B2C"}`)},
		{name: "a user that does not exist", status: 404, code: "JBO-25020", path: "UserId",
			request: patchAs("css-admin", 999, 2, `{"RequestTypeCd":"B2C"}`)},
		{name: "caller with the view privilege only", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: patchAs("css-viewer", servertest.Pat, 2, `{"RequestTypeCd":"B2C"}`)},
		{name: "caller without privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: patchAs("css-none", servertest.Pat, 2, `{"RequestTypeCd":"B2C"}`)},
		// The privilege is checked before anything else the request may have wrong.
		{name: "caller without privilege, changing the account", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: patchAs("css-viewer", servertest.Pat, 2, `{"AccountPartyId":300100000000002}`)},
		{name: "caller without privilege, for a user that does not exist", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: patchAs("css-none", 999, 2, `{"RequestTypeCd":"B2C"}`)},
		{name: "caller without privilege, for an ended role", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: patchAs("css-viewer", servertest.Kim, 6, `{"RequestTypeCd":"B2C"}`)},
		{name: "caller without privilege, with a disabled relationship type", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: patchAs("css-viewer", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`)},
		{name: "no body", status: 400, code: "ADF_REST_BODY_REQUIRED",
			request: func(h *harness) servertest.Request {
				return patchAs("css-admin", servertest.Pat, 2, "")(h).With("Content-Type", "application/json")
			}},
	})
}

func TestUpdateSelfServiceRoleResponse(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		before := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 2), h.UserToken("css-admin"), "")), http.StatusOK)
		after := servertest.DecodeRole(t, h.Do(patchAs("css-admin", servertest.Pat, 2, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER","RequestTypeCd":"B2C"}`)(h)), http.StatusOK)
		if *after.RelationshipTypeCd != "ORA_CSS_ACC_MANAGER" || *after.RoleValue != "Account Manager" || *after.RequestTypeCd != "B2C" ||
			*after.LastUpdatedBy != "css-admin" || *after.CreatedBy != "css-super" || *after.RoleId != 2 || *after.StartDate != *before.StartDate ||
			*after.CreationDate != *before.CreationDate || after.Links == nil {
			t.Errorf("updated role %s", jsonOf(after))
		}
		// A request changing nothing leaves the who-columns alone.
		unchanged := servertest.DecodeRole(t, h.Do(patchAs("css-super", servertest.Pat, 2, `{"RequestTypeCd":"B2C"}`)(h)), http.StatusOK)
		if *unchanged.LastUpdatedBy != "css-admin" {
			t.Errorf("LastUpdatedBy %s after a request changing nothing", *unchanged.LastUpdatedBy)
		}
	})
}

func TestDeleteSelfServiceRoleRules(t *testing.T) {
	twoAdmins := func(h *harness) {
		seedRoles(h)
		h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`) // 7
	}
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "a user role: the user's other roles on that account end too, not those elsewhere", status: 204, request: deleteAs("css-admin", servertest.Sam, 5),
			after: seededWith(map[int]string{5: roleState(5, servertest.Sam, servertest.Acme, "ORA_CSS_USER", "ended")})},
		{name: "a user role whose user holds no other active role there", status: 204, request: deleteAs("css-admin", servertest.Kim, 3),
			after: seededWith(map[int]string{3: roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_USER", "ended")})},
		{name: "a user role ending the last administrator of the account, without the privilege", status: 400, code: "SVC_CSS_LAST_ACCOUNT_ADMIN", path: "RoleId",
			request: deleteAs("css-admin", servertest.Pat, 2)},
		{name: "a user role ending the last administrator of the account, with the privilege", status: 204, request: deleteAs("css-super", servertest.Pat, 2),
			after: seededWith(map[int]string{
				1: roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "ended"),
				2: roleState(2, servertest.Pat, servertest.Acme, "ORA_CSS_USER", "ended"),
			})},
		{name: "the last administrator of an account, without the privilege", status: 400, code: "SVC_CSS_LAST_ACCOUNT_ADMIN", path: "RoleId",
			request: deleteAs("css-admin", servertest.Pat, 1)},
		{name: "the last administrator of another account, without the privilege", status: 400, code: "SVC_CSS_LAST_ACCOUNT_ADMIN", path: "RoleId",
			request: deleteAs("css-admin", servertest.Sam, 4)},
		{name: "the last administrator of an account, with the privilege", status: 204, request: deleteAs("css-super", servertest.Pat, 1),
			after: seededWith(map[int]string{1: roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "ended")})},
		{name: "an ended role", status: 404, code: "JBO-25020", path: "RoleId", request: deleteAs("css-admin", servertest.Kim, 6)},
		{name: "a role of another user", status: 404, code: "JBO-25020", path: "RoleId", request: deleteAs("css-admin", servertest.Kim, 2)},
		{name: "a role that does not exist", status: 404, code: "JBO-25020", path: "RoleId", request: deleteAs("css-admin", servertest.Pat, 99)},
		{name: "a user that does not exist", status: 404, code: "JBO-25020", path: "UserId", request: deleteAs("css-admin", 999, 2)},
		{name: "caller with the view privilege only", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: deleteAs("css-viewer", servertest.Pat, 2)},
		{name: "caller without privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: deleteAs("css-none", servertest.Pat, 2)},
		// The privilege is checked before anything else the request may have wrong.
		{name: "caller without privilege, for an ended role", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: deleteAs("css-viewer", servertest.Kim, 6)},
		{name: "caller without privilege, for a user that does not exist", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: deleteAs("css-none", 999, 2)},
		{name: "caller without privilege, for the last administrator", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: deleteAs("css-viewer", servertest.Pat, 1)},
		{name: "no token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED", request: deleteAs("", servertest.Pat, 2)},
		{name: "a request body", status: 400, code: "ADF_REST_BODY_NOT_ALLOWED",
			request: func(h *harness) servertest.Request {
				r := deleteAs("css-admin", servertest.Pat, 2)(h)
				r.Body = `{}`
				return r
			}},
		{name: "role id not a number", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "RoleId",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodDelete, servertest.RolesPath(servertest.Pat)+"/x", h.UserToken("css-admin"), "")
			}},
	})
	runOracleCases(t, twoAdmins, []oracleCase{
		{name: "an administrator with another one left: the user keeps the other roles", status: 204, request: deleteAs("css-admin", servertest.Pat, 1),
			after: append(seededWith(map[int]string{1: roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "ended")}),
				roleState(7, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_ADMIN", "active"))},
		{name: "a user role ending an administrator with another one left", status: 204, request: deleteAs("css-admin", servertest.Pat, 2),
			after: append(seededWith(map[int]string{
				1: roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "ended"),
				2: roleState(2, servertest.Pat, servertest.Acme, "ORA_CSS_USER", "ended"),
			}), roleState(7, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_ADMIN", "active"))},
		{name: "a user role ending the user's administrator role, an ended role left as it is", status: 204, request: deleteAs("css-admin", servertest.Kim, 3),
			after: append(seededWith(map[int]string{3: roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_USER", "ended")}),
				roleState(7, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_ADMIN", "ended"))},
	})
}

func TestDeleteSelfServiceRoleEndsIt(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		rec := h.Do(deleteAs("css-admin", servertest.Kim, 3)(h).With("Metadata-Context", `sandbox="S1"`))
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 || rec.Header().Get(oracle.HeaderFrameworkVersion) != "4" ||
			rec.Header().Get(oracle.HeaderMetadataContext) != `sandbox="S1"` {
			t.Fatalf("delete: %d %v %q", rec.Code, rec.Header(), rec.Body)
		}
		ended := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Kim, 3), h.UserToken("css-admin"), "")), http.StatusOK)
		if ended.EndDate == nil || *ended.EndDate != *ended.StartDate || *ended.LastUpdatedBy != "css-admin" || *ended.CanDeleteFlag || *ended.CanUpdateFlag {
			t.Errorf("ended role %s", jsonOf(ended))
		}
		// It left the active set.
		if ids := roleIDs(servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Kim), h.UserToken("css-admin"), "")))); len(ids) != 0 {
			t.Errorf("active roles of kim %v", ids)
		}
		// The same role can be given again: a new role.
		if id := h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_USER"}`); id != 7 {
			t.Errorf("new role %d", id)
		}
	})
}

// Removing a user's self-service access (ORA_CSS_USER) ends the user's other roles on the
// account, and CanDeleteFlag tells in advance when that would end the account's last
// administrator.
func TestDeleteSelfServiceAccessEndsTheUsersRoles(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		canDelete := func(login string, userID, roleID int64) bool {
			return *servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(userID, roleID), h.UserToken(login), "")), http.StatusOK).CanDeleteFlag
		}
		// Pat's access (2) would end pat's administrator role (1), Acme's only one.
		if canDelete("css-admin", servertest.Pat, 2) || !canDelete("css-super", servertest.Pat, 2) || !canDelete("css-admin", servertest.Sam, 5) {
			t.Errorf("CanDeleteFlag of the user roles: pat's for css-admin %v, for css-super %v; sam's for css-admin %v",
				canDelete("css-admin", servertest.Pat, 2), canDelete("css-super", servertest.Pat, 2), canDelete("css-admin", servertest.Sam, 5))
		}
		detail := servertest.ADFErrorOf(t, h.Do(deleteAs("css-admin", servertest.Pat, 2)(h)), http.StatusBadRequest, "SVC_CSS_LAST_ACCOUNT_ADMIN")
		if !strings.Contains(detail.Detail, "role 1") {
			t.Errorf("detail %q does not name the administrator role", detail.Detail)
		}
		if rec := h.Do(deleteAs("css-super", servertest.Pat, 2)(h)); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		for _, id := range []int64{1, 2} {
			role := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, id), h.UserToken("css-admin"), "")), http.StatusOK)
			if role.EndDate == nil || *role.LastUpdatedBy != "css-super" {
				t.Errorf("role %d after removing pat's access: %s", id, jsonOf(role))
			}
		}
	})
}
