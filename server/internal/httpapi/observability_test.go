package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The whole-stack tests of the pipeline that need one of its internals (export_test.go);
// the others are in package server_test (server/observability_test.go).

// TestRequestIDs: a caller's X-Request-Id is kept when it is a plain token of at most 64
// characters, and replaced by a new one otherwise; the log line carries the id answered.
func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	h := servertest.NewConfigured(t, store.SQLite, func(cfg *server.Config) { cfg.Logger = servertest.JSONLogger(&logs) })
	for _, tc := range []struct {
		sent string
		kept bool
	}{
		{"", false},
		{"abc-123_XYZ.7", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"two words", false},
		{`quote"d`, false},
		{"line\nbreak", false},
		{"naïve", false},
	} {
		logs.Reset()
		rec := h.Do(servertest.Request{Method: http.MethodGet, Path: "/healthz", Headers: map[string]string{"X-Request-Id": tc.sent}})
		got := rec.Header().Get("X-Request-Id")
		if tc.kept && got != tc.sent {
			t.Errorf("X-Request-Id %q answered as %q, want it kept", tc.sent, got)
		}
		if !tc.kept && (got == tc.sent || !httpapi.ValidRequestID(got)) {
			t.Errorf("X-Request-Id %q answered as %q, want a new id", tc.sent, got)
		}
		if lines := servertest.LogLines(t, &logs); len(lines) != 1 || lines[0]["request_id"] != got {
			t.Errorf("X-Request-Id %q: log %v, want request_id %q", tc.sent, lines, got)
		}
	}
}
