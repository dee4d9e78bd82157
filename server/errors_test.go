package server_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

func TestRoutingAndSystemErrors(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		token := h.UserToken("agent")

		body := servertest.WSError(t, h.Do(servertest.Get(token, "/core/customermgr/v3/customer/1000/nothing")), 404, "404-101")
		if !strings.Contains(body.DeveloperMessage, "/core/customermgr/v3/customer/1000/nothing") {
			t.Errorf("message %q does not name the path", body.DeveloperMessage)
		}
		servertest.WSError(t, h.Do(servertest.Request{Method: http.MethodPut, Path: servertest.GrantPath, Token: token, Body: servertest.GrantBody("1000", "1002")}), 405, "405-100")

		// A database failure is a 500 in eGain's shape, never a bare one.
		if err := h.Store.Close(); err != nil {
			t.Fatal(err)
		}
		servertest.WSError(t, h.Do(servertest.Get(token, servertest.GrantsPath("1000"))), 500, "500-100")
		servertest.WSError(t, h.Do(servertest.Post(token, servertest.GrantBody("1000", "1002"))), 500, "500-100")
	})
}

// TestPanicBecomesVendorError: a panicking handler answers 500 in its API's shape and
// logs one "panic" line with the stack, matched by request id to the request's line.
func TestPanicBecomesVendorError(t *testing.T) {
	tokens, _ := auth.NewTokens(servertest.Secret)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync:"+servertest.CRMSyncSecret))
	for _, tc := range []struct {
		api, handler, code string
		request            func() *http.Request
		check              func(t *testing.T, rec *httptest.ResponseRecorder)
	}{
		{"eGain", "ListCustomerGrants", "500-100", func() *http.Request {
			token, _ := tokens.Issue(auth.PrincipalUser, "agent", []string{"core.customermgr.read"}, 3600e9)
			req := httptest.NewRequest(http.MethodGet, servertest.GrantsPath("1000"), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			return req
		}, func(t *testing.T, rec *httptest.ResponseRecorder) { servertest.WSError(t, rec, 500, "500-100") }},
		{"Reltio", "ListCustomerRoles", "50001", func() *http.Request {
			token, _ := tokens.Issue(auth.PrincipalUser, "reltio-admin", []string{"reltio.roles.read"}, 3600e9)
			req := httptest.NewRequest(http.MethodGet, servertest.ReltioPath("TestCustomer", "/roles"), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			return req
		}, func(t *testing.T, rec *httptest.ResponseRecorder) { servertest.ReltioErr(t, rec, 500, 50001) }},
		{"token endpoint", "IssueToken", "server_error", func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader("grant_type=client_credentials"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", basic)
			return req
		}, func(t *testing.T, rec *httptest.ResponseRecorder) { servertest.OAuthErr(t, rec, 500, "server_error") }},
	} {
		t.Run(tc.api, func(t *testing.T) {
			var logs bytes.Buffer
			// Without a store every handler panics on its first query.
			e, err := server.New(server.Config{Tokens: tokens, Logger: servertest.JSONLogger(&logs)})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, tc.request())
			tc.check(t, rec)

			lines := servertest.LogLines(t, &logs)
			panics := servertest.LinesWithMessage(lines, "panic")
			if len(panics) != 1 {
				t.Fatalf("%d panic lines, want 1: %v", len(panics), lines)
			}
			if stack, _ := panics[0]["stack"].(string); !strings.Contains(stack, tc.handler) || !strings.Contains(stack, "goroutine") {
				t.Errorf("the panic's stack does not show the handler %s: %q", tc.handler, stack)
			}
			requests := servertest.LinesWithMessage(lines, "request")
			if len(requests) != 1 || requests[0]["status"] != float64(500) || requests[0]["code"] != tc.code ||
				requests[0]["request_id"] != panics[0]["request_id"] || requests[0]["request_id"] == "" {
				t.Errorf("request line %v does not match the panic line %v", requests, panics[0])
			}
		})
	}
}
