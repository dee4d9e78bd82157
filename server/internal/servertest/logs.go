package servertest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// JSONLogger logs as JSON into buf, debug lines included, for tests that read the log.
func JSONLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// LogLines decodes each JSON line of a log.
func LogLines(t testing.TB, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, text := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if text == "" {
			continue
		}
		var line map[string]any
		if err := json.Unmarshal([]byte(text), &line); err != nil {
			t.Fatalf("log line %q is not JSON: %v", text, err)
		}
		lines = append(lines, line)
	}
	return lines
}

// LinesWithMessage keeps the lines whose msg is msg.
func LinesWithMessage(lines []map[string]any, msg string) []map[string]any {
	var found []map[string]any
	for _, line := range lines {
		if line["msg"] == msg {
			found = append(found, line)
		}
	}
	return found
}
