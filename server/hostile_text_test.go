package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The APIs' error checks, by vendor: status and code.
func egainErr(status int, code string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, rec *httptest.ResponseRecorder) { servertest.WSError(t, rec, status, code) }
}

func reltioErr(status int, code int32) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, rec *httptest.ResponseRecorder) { servertest.ReltioErr(t, rec, status, code) }
}

func adfErr(status int, code string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, rec *httptest.ResponseRecorder) { servertest.ADFErrorOf(t, rec, status, code) }
}

type hostileCase struct {
	name    string
	request func(h *servertest.Harness) servertest.Request
	check   func(*testing.T, *httptest.ResponseRecorder)
}

// runHostileCases sends each case on each database, checks its refusal, and that nothing
// was written.
func runHostileCases(t *testing.T, cases []hostileCase) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.OracleFixture)
		grants, roles, reltio := h.GrantPairs(), len(h.StoredRoles()), h.RolePermissionsOf("TestCustomer", "ROLE_ANALYST")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.check(t, h.Do(tc.request(h)))
			})
		}
		if got := h.GrantPairs(); strings.Join(got, " ") != strings.Join(grants, " ") {
			t.Errorf("grants changed: %v", got)
		}
		if got := len(h.StoredRoles()); got != roles {
			t.Errorf("%d Oracle roles, want %d", got, roles)
		}
		if got := h.RolePermissionsOf("TestCustomer", "ROLE_ANALYST"); got != reltio {
			t.Errorf("ROLE_ANALYST changed: %s", got)
		}
	})
}

func egainAgent(h *servertest.Harness) string  { return h.UserToken("agent") }
func reltioAdmin(h *servertest.Harness) string { return h.UserToken("reltio-admin") }
func cssAdmin(h *servertest.Harness) string    { return h.UserToken("css-admin") }

// TestInvalidTextIsRefusedBeforeTheDatabase: text that is not valid UTF-8, or holds NUL or
// another control character, in a path, a query (value or name) or a body (raw, escaped in
// JSON, or a character reference in XML) is refused with a 400 in each API's shape on
// every database, before any store call (PostgreSQL would answer such bytes with an error,
// a 500).
func TestInvalidTextIsRefusedBeforeTheDatabase(t *testing.T) {
	var cases []hostileCase
	for _, q := range []string{"%FF", "%C0%AF", "%ED%A0%80", "%E2%80", "pat%01", "pat%7F%00", "pat%0A"} {
		cases = append(cases, hostileCase{"Oracle q LoginId=" + q, func(h *servertest.Harness) servertest.Request {
			return servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?q=LoginId="+q, cssAdmin(h), "")
		}, adfErr(400, "ADF_REST_INVALID_PARAMETER")})
	}
	cases = append(cases,
		hostileCase{"Oracle query name", func(h *servertest.Harness) servertest.Request {
			return servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?q%FF=1", cssAdmin(h), "")
		}, adfErr(400, "ADF_REST_INVALID_PARAMETER")},
		hostileCase{"Oracle body, raw invalid UTF-8", func(h *servertest.Harness) servertest.Request {
			return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin(h), "{\"RelationshipTypeCd\":\"ORA_CSS_USER\",\"LoginId\":\"pat@example.com\xff\"}")
		}, adfErr(400, "ADF_REST_INVALID_BODY")},
		hostileCase{"Oracle body, escaped control character", func(h *servertest.Harness) servertest.Request {
			return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin(h), `{"RelationshipTypeCd":"ORA_CSS_USER","LoginId":"pat@example.com\u0007"}`)
		}, adfErr(400, "ADF_REST_INVALID_ATTRIBUTE")},
		hostileCase{"Oracle body, escaped lone surrogate", func(h *servertest.Harness) servertest.Request {
			return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin(h), `{"RelationshipTypeCd":"ORA_CSS_USER","LoginId":"pat@example.com\ud800"}`)
		}, adfErr(400, "ADF_REST_INVALID_BODY")},
		hostileCase{"Reltio path", func(h *servertest.Harness) servertest.Request {
			return servertest.Get(reltioAdmin(h), servertest.ReltioPath("Test%FFCustomer", "/roles"))
		}, reltioErr(400, 40005)},
		hostileCase{"Reltio path with NUL", func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST%00"), `{"servicePermissions":[]}`)
		}, reltioErr(400, 40005)},
		hostileCase{"Reltio body, raw invalid UTF-8", func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"),
				"{\"servicePermissions\":[{\"id\":\"MDM\xed\xa0\x80\",\"resourcePermissions\":[{\"id\":\"data\",\"allowedPrivileges\":[\"READ\"]}]}]}")
		}, reltioErr(400, 40001)},
		hostileCase{"Reltio body, escaped control character", func(h *servertest.Harness) servertest.Request {
			return servertest.Send(http.MethodPut, reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions/ROLE_ANALYST"),
				`{"servicePermissions":[{"id":"MDM\u001b","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}`)
		}, reltioErr(400, 40001)},
		hostileCase{"eGain path", func(h *servertest.Harness) servertest.Request {
			return servertest.Get(egainAgent(h), servertest.GrantsPath("10%FF"))
		}, egainErr(400, "400-196")},
		hostileCase{"eGain body, escaped control character in a member name", func(h *servertest.Harness) servertest.Request {
			return servertest.Post(egainAgent(h), `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002","\u0001":"x"}]}}`)
		}, egainErr(400, "400-152")},
		// encoding/xml refuses a character reference outside XML's characters itself.
		hostileCase{"eGain XML body, character reference to a control character", func(h *servertest.Harness) servertest.Request {
			r := servertest.Post(egainAgent(h), `<grants xmlns="http://bindings.egain.com/ws/model/v12/gen/interaction/customer"><grantsOn><customer id="1000"/></grantsOn><grantsTo><customer id="1002&#1;"/></grantsTo></grants>`)
			return r.With("Content-Type", "application/xml")
		}, egainErr(400, "400-202")},
	)
	runHostileCases(t, cases)
}

// TestBodyWithDataAfterTheJSONValueIsMalformed: a body is one JSON value, then at most
// whitespace; anything after it is a malformed body in every API, not dropped.
func TestBodyWithDataAfterTheJSONValueIsMalformed(t *testing.T) {
	reltioBody := `[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}]`
	oracleBody := `{"RelationshipTypeCd":"ORA_CSS_USER","LoginId":"pat@example.com"}`
	var cases []hostileCase
	for _, trailer := range []string{"{}", "x", `{"a":1}`, " garbage", "\n[]"} {
		cases = append(cases,
			hostileCase{"eGain " + trailer, func(h *servertest.Harness) servertest.Request {
				return servertest.Post(egainAgent(h), servertest.GrantBody("1000", "1002")+trailer)
			}, egainErr(400, "400-202")},
			hostileCase{"Reltio " + trailer, func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles/permissions"), reltioBody+trailer)
			}, reltioErr(400, 40002)},
			hostileCase{"Oracle " + trailer, func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin(h), oracleBody+trailer)
			}, adfErr(400, "ADF_REST_MALFORMED_BODY")},
		)
	}
	runHostileCases(t, cases)
}

// TestMalformedQueryStringsAreRefused: a query string Go cannot parse (a bad percent
// escape; a semicolon outside Oracle's q, which ADF writes with semicolons) is refused,
// not read in part.
func TestMalformedQueryStringsAreRefused(t *testing.T) {
	runHostileCases(t, []hostileCase{
		{"eGain semicolon", func(h *servertest.Harness) servertest.Request {
			return servertest.Get(egainAgent(h), servertest.GrantsPath("1000")+"?a;b=1")
		}, egainErr(400, "400-196")},
		{"eGain bad escape", func(h *servertest.Harness) servertest.Request {
			return servertest.Get(egainAgent(h), servertest.GrantsPath("1000")+"?%=")
		}, egainErr(400, "400-196")},
		{"Reltio semicolon", func(h *servertest.Harness) servertest.Request {
			return servertest.Get(reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles")+"?a;b=1")
		}, reltioErr(400, 40005)},
		{"Reltio bad escape", func(h *servertest.Harness) servertest.Request {
			return servertest.Get(reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles")+"?%zz=1")
		}, reltioErr(400, 40005)},
		{"Oracle bad escape", func(h *servertest.Harness) servertest.Request {
			return servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?%=", cssAdmin(h), "")
		}, adfErr(400, "ADF_REST_INVALID_PARAMETER")},
	})
	// Oracle's q keeps its semicolons (query-by-example, REST framework version 1).
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.OracleFixture)
		request := servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?q=RelationshipTypeCd=ORA_CSS_USER;LoginId=pat@example.com", cssAdmin(h), "")
		if rec := h.Do(request.With("REST-Framework-Version", "1")); rec.Code != http.StatusOK {
			t.Errorf("q with a semicolon: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestTwoAuthorizationHeadersAreRefused: a request with two Authorization headers is not
// authenticated by either: it is an invalid token, 401 in each API's shape.
func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.OracleFixture)
		twice := func(r servertest.Request, other string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(r.Method, r.Path, nil)
			for k, v := range r.Headers {
				req.Header.Set(k, v)
			}
			req.Header.Add("Authorization", "Bearer "+r.Token)
			req.Header.Add("Authorization", other)
			rec := httptest.NewRecorder()
			h.E.ServeHTTP(rec, req)
			servertest.CheckFollowsSpec(t, req, rec)
			return rec
		}
		for _, other := range []string{"Bearer " + h.UserToken("agent"), "Bearer nonsense", "Basic eDp5"} {
			servertest.WSError(t, twice(servertest.Get(egainAgent(h), servertest.GrantsPath("1000")), other), 401, "401-101")
			servertest.ReltioErr(t, twice(servertest.Get(reltioAdmin(h), servertest.ReltioPath("TestCustomer", "/roles")), other), 401, 40102)
			servertest.ADFErrorOf(t, twice(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), cssAdmin(h), ""), other), 401, "ADF_REST_INVALID_TOKEN")
		}
	})
}
