package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
)

func TestRoutingAndSystemErrors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect)
		token := h.userToken("agent")

		body := wsError(t, h.do(get(token, "/core/customermgr/v3/customer/1000/nothing")), 404, "404-101")
		if !strings.Contains(body.DeveloperMessage, "/core/customermgr/v3/customer/1000/nothing") {
			t.Errorf("message %q does not name the path", body.DeveloperMessage)
		}
		wsError(t, h.do(request{method: http.MethodPut, path: grantPath, token: token, body: grantBody("1000", "1002")}), 405, "405-100")

		// A database failure is a 500 in eGain's shape, never a bare one.
		if err := h.store.Close(); err != nil {
			t.Fatal(err)
		}
		wsError(t, h.do(get(token, grantsPath("1000"))), 500, "500-100")
		wsError(t, h.do(post(token, grantBody("1000", "1002"))), 500, "500-100")
	})
}

// TestPanicBecomesEgainError: a panic is answered with a 500 in the vendor's shape, and
// logged with the stack of the panicking handler and the request's id.
func TestPanicBecomesEgainError(t *testing.T) {
	var logs bytes.Buffer
	tokens, _ := NewTokens(testSecret)
	// Without a store every handler panics on its first query.
	e, err := New(Config{Tokens: tokens, Logger: jsonLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue(PrincipalUser, "agent", []string{"core.customermgr.read"}, 3600e9)
	req := httptest.NewRequest(http.MethodGet, grantsPath("1000"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	wsError(t, rec, 500, "500-100")

	lines := logLines(t, &logs)
	panics := linesWithMessage(lines, "panic")
	if len(panics) != 1 {
		t.Fatalf("%d panic lines, want 1: %v", len(panics), lines)
	}
	if stack, _ := panics[0]["stack"].(string); !strings.Contains(stack, "ListCustomerGrants") || !strings.Contains(stack, "goroutine") {
		t.Errorf("the panic's stack does not show the handler: %q", stack)
	}
	requests := linesWithMessage(lines, "request")
	if len(requests) != 1 || requests[0]["status"] != float64(500) || requests[0]["code"] != "500-100" ||
		requests[0]["request_id"] != panics[0]["request_id"] || requests[0]["request_id"] == "" {
		t.Errorf("request line %v does not match the panic line %v", requests, panics[0])
	}
}
