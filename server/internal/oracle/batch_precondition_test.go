package oracle_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// conditionalPart is a batch part with ifMatch or ifNoneMatch (the field named by field).
func conditionalPart(id, path, operation, payload, field, tag string) string {
	p := part(id, path, operation, payload)
	quoted, _ := json.Marshal(tag)
	return strings.TrimSuffix(p, "}") + `,"` + field + `":` + string(quoted) + "}"
}

// TestBatchPreconditions: a part's ifMatch and ifNoneMatch act as its If-Match and
// If-None-Match; a stale ifMatch fails the whole batch with 412 naming the part, and
// nothing of the earlier parts stays.
func TestBatchPreconditions(t *testing.T) {
	kimAdmin := roleState(7, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active")
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "an update with the role's tag", status: 200,
			request:      batchAs("css-admin", parts(conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"2-1"`))),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "an update with any tag", status: 200,
			request:      batchAs("css-admin", parts(conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"9-9", "2-1"`))),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "a delete with the role's tag", status: 200,
			request: batchAs("css-admin", parts(conditionalPart("a", kimRoles+"/3", "delete", "", "ifMatch", `"3-1"`))),
			after:   seededWith(map[int]string{3: roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_USER", "ended")})},
		{name: "a stale tag after an applied part", status: 412, code: "JBO-25014", path: "parts[1]",
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				conditionalPart("b", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"2-0"`),
			))},
		{name: "a weak tag never matches", status: 412, code: "JBO-25014", path: "parts[0]",
			request: batchAs("css-admin", parts(conditionalPart("a", kimRoles+"/3", "delete", "", "ifMatch", `W/"3-1"`)))},
		{name: "a tag the update before made stale", status: 412, code: "JBO-25014", path: "parts[1]",
			request: batchAs("css-admin", parts(
				conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"2-1"`),
				conditionalPart("b", patRoles+"/2", "update", `{"RequestTypeCd":"B2B"}`, "ifMatch", `"2-1"`),
			))},
		{name: "a get with the current tag", status: 200,
			request: batchAs("css-viewer", parts(conditionalPart("a", patRoles+"/1", "get", "", "ifNoneMatch", `"1-1"`)))},
		{name: "ifMatch on a get", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[0].ifMatch",
			request: batchAs("css-admin", parts(conditionalPart("a", patRoles+"/1", "get", "", "ifMatch", `"1-1"`)))},
		{name: "ifMatch on a create", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[1].ifMatch",
			request: batchAs("css-admin", parts(part("a", patRoles, "get", ""), conditionalPart("b", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`, "ifMatch", "*")))},
		{name: "ifMatch on an upsert", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[0].ifMatch",
			request: batchAs("css-admin", parts(conditionalPart("a", patRoles, "upsert", `{"RelationshipTypeCd":"ORA_CSS_USER"}`, "ifMatch", "*")))},
		{name: "ifNoneMatch on an update", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[0].ifNoneMatch",
			request: batchAs("css-admin", parts(conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifNoneMatch", `"2-1"`)))},
		{name: "ifNoneMatch on a collection, after an applied part", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[1].ifNoneMatch",
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				conditionalPart("b", patRoles, "get", "", "ifNoneMatch", "*"),
			))},
		{name: "ifNoneMatch on the collection of an unknown user: refused before it runs", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[0].ifNoneMatch",
			request: batchAs("css-viewer", parts(conditionalPart("a", "/customerSelfServiceUsers/999/child/SelfServiceRoles", "get", "", "ifNoneMatch", "*")))},
		{name: "ifNoneMatch on a history entry (no entity tag)", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[0].ifNoneMatch",
			request: batchAs("css-viewer", parts(conditionalPart("a", "/customerSelfServiceUsers/100/child/SelfServiceRolesHistory/1-1", "get", "", "ifNoneMatch", "*")))},
		{name: "a line break in ifMatch", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "parts.0.ifMatch",
			request: batchAs("css-admin", parts(conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", "\"2-1\"\r\nX-Evil: 1")))},
		{name: "a DEL in ifNoneMatch", status: 400, code: "ADF_REST_BATCH_INVALID_PRECONDITION", path: "parts[0].ifNoneMatch",
			request: batchAs("css-admin", parts(conditionalPart("a", patRoles+"/1", "get", "", "ifNoneMatch", "\"1-1\"\u007f")))},
		{name: "an overlong ifMatch", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "parts.0.ifMatch",
			request: batchAs("css-admin", parts(conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"`+strings.Repeat("9", 1000)+`"`)))},
		{name: "a precondition on a part without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", path: "parts[0]",
			request: batchAs("css-viewer", parts(conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", "*")))},
		{name: "the created role, then its manager's tag", status: 200,
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				conditionalPart("b", kimRoles+"/7", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"7-1"`),
			)),
			after: append(seededWith(nil), kimAdmin), requestTypes: map[int64]string{7: "B2C"}},
	})
}

// TestBatchPartResults: a part with a precondition comes back with preconditionSucceeded; a
// get whose ifNoneMatch names the current tag has no payload; parts speak the batch's
// framework version (a rowmatch q is read as one with version 4, refused with version 1).
func TestBatchPartResults(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		userTag := h.Do(servertest.ADF(http.MethodGet, usersPath+"/100", h.UserToken("css-viewer"), "")).Header().Get("ETag")
		rec := h.Do(batchAs("css-admin", parts(
			conditionalPart("current", patRoles+"/1", "get", "", "ifNoneMatch", `"1-1"`),
			conditionalPart("old", patRoles+"/2", "get", "", "ifNoneMatch", `"2-0"`),
			conditionalPart("user", "/customerSelfServiceUsers/100", "get", "", "ifNoneMatch", userTag),
			conditionalPart("change", patRoles+"/2", "update", `{"RequestTypeCd":"B2C"}`, "ifMatch", `"2-1"`),
			part("plain", patRoles+"/1", "get", ""),
			part("rowmatch", patRoles+"?q=RoleId%20%3E%201%20OR%20RelationshipTypeCd%20%3D%20%27ORA_CSS_ACC_ADMIN%27", "get", ""),
		))(h))
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var body gen.AdfBatchResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		type result struct {
			payload   bool
			succeeded *bool
		}
		want := map[string]result{
			"current": {false, pointer(false)}, "old": {true, pointer(true)}, "user": {false, pointer(false)},
			"change": {true, pointer(true)}, "plain": {true, nil}, "rowmatch": {true, nil},
		}
		for _, p := range body.Parts {
			w := want[p.Id]
			if (p.Payload != nil) != w.payload || (p.PreconditionSucceeded == nil) != (w.succeeded == nil) ||
				(w.succeeded != nil && *p.PreconditionSucceeded != *w.succeeded) {
				t.Errorf("part %s: payload %v preconditionSucceeded %v, want payload %v and %v", p.Id, p.Payload != nil, p.PreconditionSucceeded, w.payload, w.succeeded)
			}
		}
		if n := len(body.Parts); n != len(want) {
			t.Errorf("%d parts, want %d", n, len(want))
		}
		if items, _ := (*body.Parts[5].Payload)["items"].([]any); len(items) != 2 {
			t.Errorf("rowmatch part: %d items, want roles 1 and 2", len(items))
		}

		// Version 1: the same q is not query-by-example; the batch refuses, as text.
		before := h.StoredRoles()
		rec = h.Do(servertest.Request{Method: http.MethodPost, Path: batchPath, Token: h.UserToken("css-admin"),
			Body: parts(
				conditionalPart("a", patRoles+"/2", "update", `{"RequestTypeCd":"B2B"}`, "ifMatch", `"2-2"`),
				part("b", patRoles+"?q=RoleId%20%3E%201%20OR%20RelationshipTypeCd%20%3D%20%27ORA_CSS_ACC_ADMIN%27", "get", ""),
			),
			Headers: map[string]string{"Content-Type": "application/vnd.oracle.adf.batch+json", "REST-Framework-Version": "1"}})
		if rec.Code != http.StatusBadRequest || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") ||
			!strings.Contains(rec.Body.String(), "Batch part 1 (b) failed") || rec.Header().Get("REST-Framework-Version") != "1" {
			t.Errorf("version 1: %d %s %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		checkWrites(t, before, h.StoredRoles(), nil, nil)
	})
}
