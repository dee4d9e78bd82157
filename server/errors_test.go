package server

import (
	"io"
	"log/slog"
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

func TestPanicBecomesEgainError(t *testing.T) {
	tokens, _ := NewTokens(testSecret)
	// Without a store every handler panics on its first query.
	e, err := New(Config{Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue(PrincipalUser, "agent", []string{"core.customermgr.read"}, 3600e9)
	req := httptest.NewRequest(http.MethodGet, grantsPath("1000"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	wsError(t, rec, 500, "500-100")
}
