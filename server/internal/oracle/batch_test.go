package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

const batchPath = oracle.ResourcesPath

// batchAs is a batch request of login with this body.
func batchAs(login, body string) func(h *harness) servertest.Request {
	return func(h *harness) servertest.Request {
		var token string
		if login != "" {
			token = h.UserToken(login)
		}
		return servertest.ADF(http.MethodPost, batchPath, token, body).With("Content-Type", "application/vnd.oracle.adf.batch+json")
	}
}

// part is one part of a batch body.
func part(id, path, operation, payload string) string {
	p := fmt.Sprintf(`{"id":%q,"path":%q,"operation":%q`, id, path, operation)
	if payload != "" {
		p += `,"payload":` + payload
	}
	return p + "}"
}

func parts(p ...string) string { return `{"parts":[` + strings.Join(p, ",") + `]}` }

const (
	patRoles = "/customerSelfServiceUsers/100/child/SelfServiceRoles"
	kimRoles = "/customerSelfServiceUsers/103/child/SelfServiceRoles"
)

func TestBatchRules(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = part(fmt.Sprint("p", i), "/customerSelfServiceUsers/100", "get", "")
	}
	hundred := parts(many[:100]...)
	admin2 := roleState(7, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_ADMIN", "active")
	runOracleCases(t, seedRoles, []oracleCase{
		// All parts applied, in one transaction: Kim becomes an administrator, then Pat's
		// administrator role (no longer Acme's last) can go, then Kim's user role changes type.
		{name: "writes that hold together", status: 200,
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`),
				part("b", patRoles+"/1", "delete", ""),
				part("c", oracle.ResourcesPath+kimRoles+"/3", "update", `{"RequestTypeCd":"B2C"}`),
				part("d", patRoles, "get", ""),
			)),
			after:        append(seededWith(map[int]string{1: roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "ended")}), admin2),
			requestTypes: map[int64]string{3: "B2C", 7: ""}},
		{name: "an upsert", status: 200,
			request:      batchAs("css-admin", parts(part("a", patRoles, "upsert", `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`))),
			requestTypes: map[int64]string{2: "B2C"}},
		{name: "reads only, as a viewer", status: 200,
			request: batchAs("css-viewer", parts(part("a", patRoles, "get", ""), part("b", "/customerSelfServiceUsers?limit=2&expand=SelfServiceRoles", "get", "")))},
		{name: "100 parts", status: 200, request: batchAs("css-viewer", hundred)},
		// The second part breaks a rule: nothing of the first stays.
		{name: "a part breaking a rule", status: 400, code: "SVC_CSS_LAST_ACCOUNT_ADMIN", path: "parts[1]",
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				part("b", patRoles+"/1", "delete", ""),
			))},
		{name: "a duplicate role after a create", status: 400, code: "JBO-25013", path: "parts[1]",
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				part("b", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			))},
		{name: "a write as a viewer", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", path: "parts[1]",
			request: batchAs("css-viewer", parts(part("a", patRoles, "get", ""), part("b", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)))},
		{name: "a part the schema refuses", status: 400, code: "JBO-25058", path: "parts[1]",
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				part("b", patRoles+"/2", "update", `{"Colour":"red"}`),
			))},
		{name: "a role that does not exist", status: 404, code: "JBO-25020", path: "parts[1]",
			request: batchAs("css-admin", parts(
				part("a", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
				part("b", patRoles+"/99", "delete", ""),
			))},
		{name: "a create of a user", status: 405, code: "ADF_REST_METHOD_NOT_ALLOWED", path: "parts[0]",
			request: batchAs("css-admin", parts(part("a", "/customerSelfServiceUsers", "create", `{"LoginId":"x"}`)))},
		{name: "a path of no resource", status: 404, code: "ADF_REST_RESOURCE_NOT_FOUND", path: "parts[0]",
			request: batchAs("css-admin", parts(part("a", "/customerSelfServiceUsers/100/child/Colours", "get", "")))},
		{name: "a path outside the users", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[1].path",
			request: batchAs("css-admin", parts(part("a", patRoles, "get", ""), part("b", "/accounts/1", "get", "")))},
		{name: "the batch itself", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", "/", "create", `{"parts":[]}`)))},
		{name: "another API", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", "/oauth/customers/TestCustomer/roles", "get", "")))},
		{name: "a name that only starts like the users", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", "/customerSelfServiceUsersX/100", "get", "")))},
		{name: "dot-dot", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", "/customerSelfServiceUsers/../../../oauth/token", "get", "")))},
		{name: "an encoded dot-dot", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", "/customerSelfServiceUsers/%2e%2e/x", "get", "")))},
		{name: "a double slash", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", "/customerSelfServiceUsers//100", "get", "")))},
		{name: "a query on a write", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", patRoles+"?x=1", "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)))},
		{name: "a malformed query", status: 400, code: "ADF_REST_BATCH_INVALID_PATH", path: "parts[0].path",
			request: batchAs("css-admin", parts(part("a", patRoles+"?q=%zz", "get", "")))},
		{name: "an id twice", status: 400, code: "ADF_REST_BATCH_DUPLICATE_ID", path: "parts[1].id",
			request: batchAs("css-admin", parts(part("a", patRoles, "get", ""), part("a", patRoles, "get", "")))},
		{name: "101 parts", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "parts",
			request: batchAs("css-viewer", parts(many...))},
		{name: "no parts", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "parts", request: batchAs("css-admin", `{"parts":[]}`)},
		{name: "an operation ADF has and this service does not", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "parts.0.operation",
			request: batchAs("css-admin", parts(part("a", patRoles+"/2", "replace", `{"RequestTypeCd":"B2C"}`)))},
		{name: "a part without a path", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "parts.0.path",
			request: batchAs("css-admin", `{"parts":[{"id":"a","operation":"get"}]}`)},
		{name: "without a token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED",
			request: batchAs("", parts(part("a", patRoles, "get", "")))},
		{name: "as JSON, not a batch", status: 415, code: "ADF_REST_UNSUPPORTED_MEDIA_TYPE", path: "Content-Type",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, batchPath, h.UserToken("css-admin"), parts(part("a", patRoles, "get", "")))
			}},
	})
}

// A batch's answer lists every part with its response body; its errors follow the batch's
// framework version.
func TestBatchResponse(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		rec := h.Do(batchAs("css-admin", parts(
			part("new", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			part("gone", kimRoles+"/3", "delete", ""),
			part("pat", "/customerSelfServiceUsers/100", "get", ""),
		))(h).With("Metadata-Context", `sandbox="S"`))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vnd.oracle.adf.batch+json" || rec.Header().Get("Metadata-Context") != `sandbox="S"` {
			t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		var body gen.AdfBatchResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if len(body.Parts) != 3 || body.Parts[0].Id != "new" || body.Parts[0].Payload == nil || (*body.Parts[0].Payload)["RoleId"] != float64(7) ||
			body.Parts[1].Payload != nil || (*body.Parts[2].Payload)["LoginId"] != "pat@example.com" || body.Parts[2].Operation != gen.AdfBatchPartOperationGet {
			t.Errorf("parts %s", rec.Body)
		}
		// Ending Kim's user role ended the manager role created in the same batch with it.
		if got := h.oracleRoles(); got[len(got)-1] != roleState(7, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_MANAGER", "ended") {
			t.Errorf("roles %v", got)
		}

		// Version 1: the refusal as text, naming the part.
		rec = h.Do(servertest.Request{Method: http.MethodPost, Path: batchPath, Token: h.UserToken("css-admin"),
			Body:    parts(part("x", patRoles+"/99", "delete", "")),
			Headers: map[string]string{"Content-Type": "application/vnd.oracle.adf.batch+json"}})
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") ||
			!strings.Contains(rec.Body.String(), "Batch part 0 (x) failed") || !strings.Contains(rec.Body.String(), "no self-service role 99") {
			t.Errorf("version 1 refusal: %d %s %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	})
}
