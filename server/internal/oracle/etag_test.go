package oracle_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// etagOf is the ETag role roleID has at version.
func etagOf(roleID, version int64) string { return fmt.Sprintf(`"%d-%d"`, roleID, version) }

// withHeader adds a header to a request builder's request.
func withHeader(request func(h *harness) servertest.Request, name, value string) func(h *harness) servertest.Request {
	return func(h *harness) servertest.Request { return request(h).With(name, value) }
}

// Conditional writes: If-Match on PATCH and DELETE. seedRoles wrote role 2 once (version 1)
// and ended role 6 (version 2).
func TestIfMatchRules(t *testing.T) {
	patchPat2 := patchAs("css-admin", servertest.Pat, 2, `{"RequestTypeCd":"B2C"}`)
	deleteKim3 := deleteAs("css-admin", servertest.Kim, 3)
	ended3 := seededWith(map[int]string{3: roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_USER", "ended")})
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "PATCH with the current tag", status: 200, request: withHeader(patchPat2, "If-Match", etagOf(2, 1)),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "PATCH with a list holding the current tag", status: 200, request: withHeader(patchPat2, "If-Match", `"2-7", `+etagOf(2, 1)),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "PATCH with *", status: 200, request: withHeader(patchPat2, "If-Match", "*"),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "PATCH with a stale tag", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", etagOf(2, 0))},
		{name: "PATCH with another role's tag", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", etagOf(1, 1))},
		{name: "PATCH with the current tag made weak", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", "W/"+etagOf(2, 1))},
		{name: "PATCH with an unquoted tag", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", "2-1")},
		{name: "PATCH with an unclosed tag", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", `"2-1`)},
		{name: "PATCH with the tag and garbage after it", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", etagOf(2, 1)+" x")},
		{name: "PATCH with an empty If-Match", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchPat2, "If-Match", "")},
		{name: "PATCH of a role that does not exist, with *", status: 404, code: "JBO-25020", path: "RoleId",
			request: withHeader(patchAs("css-admin", servertest.Pat, 99, `{"RequestTypeCd":"B2C"}`), "If-Match", "*")},
		{name: "PATCH of an ended role with its current tag", status: 400, code: "SVC_CSS_ROLE_ENDED", path: "RoleId",
			request: withHeader(patchAs("css-admin", servertest.Kim, 6, `{"RequestTypeCd":"B2C"}`), "If-Match", etagOf(6, 2))},
		{name: "PATCH of an ended role with its tag before the delete", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(patchAs("css-admin", servertest.Kim, 6, `{"RequestTypeCd":"B2C"}`), "If-Match", etagOf(6, 1))},
		{name: "PATCH with a stale tag and no privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: withHeader(patchAs("css-viewer", servertest.Pat, 2, `{"RequestTypeCd":"B2C"}`), "If-Match", etagOf(2, 0))},
		{name: "DELETE with the current tag", status: 204, request: withHeader(deleteKim3, "If-Match", etagOf(3, 1)), after: ended3},
		{name: "DELETE with *", status: 204, request: withHeader(deleteKim3, "If-Match", "*"), after: ended3},
		{name: "DELETE with a stale tag", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(deleteKim3, "If-Match", etagOf(3, 2))},
		{name: "DELETE with a weak tag", status: 412, code: "JBO-25014", path: "If-Match",
			request: withHeader(deleteKim3, "If-Match", "W/"+etagOf(3, 1))},
		{name: "DELETE of a role that does not exist, with *", status: 404, code: "JBO-25020", path: "RoleId",
			request: withHeader(deleteAs("css-admin", servertest.Kim, 99), "If-Match", "*")},
	})
}

// Every response of a role carries its tag, in the ETag header of an item and as the
// changeIndicator of its self link, also inside collections; every write changes it.
func TestETagsFollowEveryWrite(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		admin := h.UserToken("css-super")
		check := func(what string, rec interface {
			Header() http.Header
		}, indicator *string, want string) {
			t.Helper()
			if got := rec.Header().Get("ETag"); got != want {
				t.Errorf("%s: ETag %q, want %q", what, got, want)
			}
			if indicator == nil || `"`+*indicator+`"` != want {
				t.Errorf("%s: changeIndicator %v, want %s unquoted", what, indicator, want)
			}
		}
		rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), admin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`))
		role := servertest.DecodeRole(t, rec, http.StatusCreated)
		check("create", rec, selfIndicator(role.Links), etagOf(1, 1))

		rec = h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 1), admin, ""))
		role = servertest.DecodeRole(t, rec, http.StatusOK)
		check("get", rec, selfIndicator(role.Links), etagOf(1, 1))

		rec = h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, 1), admin, `{"RequestTypeCd":"B2C"}`))
		role = servertest.DecodeRole(t, rec, http.StatusOK)
		check("update", rec, selfIndicator(role.Links), etagOf(1, 2))

		// A PATCH changing nothing writes nothing: the tag stays.
		rec = h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, 1), admin, `{"RequestTypeCd":"B2C"}`))
		role = servertest.DecodeRole(t, rec, http.StatusOK)
		check("update to the same value", rec, selfIndicator(role.Links), etagOf(1, 2))

		rec = h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), admin, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2B"}`).With("Upsert-Mode", "true"))
		role = servertest.DecodeRole(t, rec, http.StatusOK)
		check("upsert", rec, selfIndicator(role.Links), etagOf(1, 3))

		collection := servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), admin, "")))
		if len(collection.Items) != 1 || selfIndicator(collection.Items[0].Links) == nil || *selfIndicator(collection.Items[0].Links) != "1-3" {
			t.Errorf("collection item's changeIndicator: %+v", collection.Items)
		}

		if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Pat, 1), admin, "")); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		rec = h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 1), admin, ""))
		role = servertest.DecodeRole(t, rec, http.StatusOK)
		check("get after the delete", rec, selfIndicator(role.Links), etagOf(1, 4))
	})
}

// If-None-Match on GET: a current tag is answered 304 without a body.
func TestIfNoneMatch(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		viewer := h.UserToken("css-viewer")
		for _, tc := range []struct {
			header string
			status int
		}{
			{etagOf(2, 1), http.StatusNotModified},
			{"W/" + etagOf(2, 1), http.StatusNotModified},
			{`"9-9", ` + etagOf(2, 1), http.StatusNotModified},
			{"*", http.StatusNotModified},
			{etagOf(2, 0), http.StatusOK},
			{etagOf(1, 1), http.StatusOK},
			{"2-1", http.StatusOK},
			{"", http.StatusOK},
		} {
			rec := h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 2), viewer, "").With("If-None-Match", tc.header))
			if rec.Code != tc.status {
				t.Errorf("If-None-Match %q: %d, want %d", tc.header, rec.Code, tc.status)
				continue
			}
			if rec.Header().Get("ETag") != etagOf(2, 1) {
				t.Errorf("If-None-Match %q: ETag %q", tc.header, rec.Header().Get("ETag"))
			}
			if tc.status == http.StatusNotModified && rec.Body.Len() != 0 {
				t.Errorf("If-None-Match %q: 304 with a body %q", tc.header, rec.Body)
			}
		}
		// A role that does not exist is 404 whatever If-None-Match says.
		rec := h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 99), viewer, "").With("If-None-Match", "*"))
		servertest.ADFErrorOf(t, rec, http.StatusNotFound, "JBO-25020")
	})
}
