package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestOneLogLinePerRequest: each request writes one line with its request id, operation,
// principal, status, latency and error code, and never the token, the body or the query.
func TestOneLogLinePerRequest(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		var logs bytes.Buffer
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.Logger = servertest.JSONLogger(&logs) })
		agent, editor := h.UserToken("agent"), h.UserToken("editor")
		body := servertest.GrantBody("1000", "1002")

		cases := []struct {
			req       servertest.Request
			status    int
			operation string
			principal string
			code      string
			level     string
		}{
			{servertest.Post(agent, body), 201, "createCustomerGrants", "user:agent", "", "INFO"},
			// A refusal by validation, one by a handler's rules, and one for no route.
			{servertest.Post("", body), 401, "createCustomerGrants", "", "401-104", "WARN"},
			{servertest.Get(editor, servertest.GrantsPath("1000")), 403, "listCustomerGrants", "user:editor", "403-178", "WARN"},
			{servertest.Get(agent, "/core/customermgr/v3/customer/1000/nothing?secret=x"), 404, "unknown", "", "404-101", "WARN"}, // no route: the token is not even read
			{servertest.Get("", "/healthz"), 200, "healthz", "", "", "DEBUG"},
		}
		for _, tc := range cases {
			logs.Reset()
			rec := h.Do(tc.req)
			if rec.Code != tc.status {
				t.Fatalf("%s %s: status %d, want %d", tc.req.Method, tc.req.Path, rec.Code, tc.status)
			}
			lines := servertest.LogLines(t, &logs)
			if len(lines) != 1 {
				t.Fatalf("%s %s: %d log lines, want 1: %v", tc.req.Method, tc.req.Path, len(lines), lines)
			}
			line := lines[0]
			want := map[string]any{
				"msg": "request", "level": tc.level, "operation": tc.operation, "principal": tc.principal,
				"status": float64(tc.status), "request_id": rec.Header().Get("X-Request-Id"),
			}
			for key, value := range want {
				if line[key] != value {
					t.Errorf("%s %s: %s = %v, want %v", tc.req.Method, tc.req.Path, key, line[key], value)
				}
			}
			if line["request_id"] == "" {
				t.Error("no request id")
			}
			if _, ok := line["latency_ms"].(float64); !ok {
				t.Errorf("%s %s: no latency_ms", tc.req.Method, tc.req.Path)
			}
			if tc.code != "" && line["code"] != tc.code {
				t.Errorf("%s %s: code %v, want %s", tc.req.Method, tc.req.Path, line["code"], tc.code)
			}
			for _, secret := range []string{agent, editor, `"grantsOn"`, "secret=x"} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("%s %s: the log holds %q", tc.req.Method, tc.req.Path, secret)
				}
			}
		}
	})
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		// No token, and validation does not apply: unknown query parameters are ignored.
		for _, path := range []string{"/healthz", "/readyz", "/readyz?verbose=1"} {
			rec := h.Do(servertest.Get("", path))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status"`) {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
			}
		}
		if rec := h.Do(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))); rec.Code != 201 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		h.Do(servertest.Get("", servertest.GrantsPath("1000")))

		rec := h.Do(servertest.Get("", "/metrics"))
		if rec.Code != http.StatusOK {
			t.Fatalf("/metrics: %d", rec.Code)
		}
		metrics := rec.Body.String()
		maxOpen := "16"
		if dialect == store.SQLite {
			maxOpen = "17" // the readers' pool and the writer's connection
		}
		for _, want := range []string{
			`custaccess_http_requests_total{operation="createCustomerGrants",status="201"} 1`,
			`custaccess_http_requests_total{operation="listCustomerGrants",status="401"} 1`,
			`custaccess_http_requests_total{operation="readyz",status="200"} 2`,
			`custaccess_http_request_duration_seconds_count{operation="createCustomerGrants"} 1`,
			`custaccess_http_request_duration_seconds_bucket{operation="createCustomerGrants",le="+Inf"} 1`,
			`custaccess_http_requests_in_flight 1`, // the scrape itself
			`custaccess_db_connections{state="in_use"} `,
			`custaccess_db_connections{state="idle"} `,
			`custaccess_db_connections{state="max_open"} ` + maxOpen,
			`custaccess_db_wait_total `,
			`custaccess_db_wait_seconds_total `,
			`go_goroutines `,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
		// SQLite's write groups: the create above, at least, was carried by a COMMIT.
		groupMetrics := []string{`custaccess_db_group_commits_total `, `custaccess_db_group_writes_total `}
		for _, name := range groupMetrics {
			reported := strings.Contains(metrics, name)
			if reported != (dialect == store.SQLite) {
				t.Errorf("/metrics reports %q: %v on %s", name, reported, dialect)
			}
			if reported && strings.Contains(metrics, name+"0\n") {
				t.Errorf("/metrics: %q is 0 after a create", name)
			}
		}

		// Readiness turns red when a migration of this release is not applied.
		storetest.Exec(t, h.Database, "DELETE FROM schema_migrations WHERE version = 4")
		rec = h.Do(servertest.Get("", "/readyz"))
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "0004_client_secrets.sql") {
			t.Errorf("/readyz with a pending migration: %d %s", rec.Code, rec.Body)
		}
		if rec := h.Do(servertest.Get("", "/healthz")); rec.Code != http.StatusOK {
			t.Errorf("/healthz depends on the database: %d", rec.Code)
		}
		servertest.WSError(t, h.Do(servertest.Request{Method: http.MethodPost, Path: "/healthz"}), http.StatusMethodNotAllowed, "405-100")
	})
}
