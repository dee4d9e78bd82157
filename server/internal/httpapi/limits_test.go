package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The whole-stack tests of the pipeline's limits that need one of its internals
// (export_test.go); the others are in package server_test (server/limits_test.go).

// TestClientGoneIsNotAnOutage: a client that goes away while its query waits is not a
// database outage: no 503, no error logged, the request logged at INFO as 499 (and counted
// so), and nothing written. A deadline that passes in the query stays a 503.
func TestClientGoneIsNotAnOutage(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		var logs bytes.Buffer
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.Logger = servertest.JSONLogger(&logs) })
		release := h.HoldCustomerLocks(t)

		// Whenever the client goes away — before the query or while it waits — the outcome
		// is the same, so the test need not know which.
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequest(http.MethodPost, servertest.GrantPath, strings.NewReader(servertest.GrantBody("1000", "1002"))).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+h.UserToken("agent"))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		served := make(chan struct{})
		go func() {
			defer close(served)
			h.E.ServeHTTP(rec, req)
		}()
		time.AfterFunc(50*time.Millisecond, cancel)
		select {
		case <-served:
		case <-time.After(30 * time.Second):
			t.Fatal("the request did not end when its client went away")
		}
		release()
		if rec.Body.Len() != 0 {
			t.Errorf("an answer was written for a client that went away: %d %s", rec.Code, rec.Body)
		}
		lines := servertest.LinesWithMessage(servertest.LogLines(t, &logs), "request")
		if len(lines) != 1 || lines[0]["status"] != float64(httpapi.StatusClientClosedRequest) || lines[0]["level"] != "INFO" {
			t.Errorf("log %v, want one INFO line with status 499", lines)
		}
		if strings.Contains(logs.String(), `"level":"ERROR"`) || strings.Contains(logs.String(), `"status":503`) {
			t.Errorf("the client's going away was logged as a failure: %s", logs.String())
		}
		if metrics := h.Do(servertest.Get("", "/metrics")).Body.String(); !strings.Contains(metrics, `custaccess_http_requests_total{operation="createCustomerGrants",status="499"} 1`) {
			t.Error("the request is not counted with status 499")
		}
		if pairs := h.GrantPairs(); len(pairs) != 0 {
			t.Errorf("the abandoned request wrote %v", pairs)
		}
	})
}
