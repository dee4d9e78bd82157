package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestAuditCommands: seed files are events; export writes them as NDJSON; verify passes,
// then names an event edited in SQL with exit status 3; tail follows new events.
func TestAuditCommands(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			dataDir := opts.DataDir
			if dataDir == "" {
				dataDir = t.TempDir()
			}
			db := []string{"--data-dir", dataDir, "--database-url", opts.DatabaseURL}
			first := writeFile(t, "first.yaml", `clients: [{clientId: crm-sync, name: CRM, type: API, secret: crm-sync-secret-0123}]`)
			second := writeFile(t, "second.yaml", `users: [{login: audrey, name: Audrey, auditor: true}]`)
			for _, file := range []string{first, second} {
				if _, stderr, err := runCommand(t, append([]string{"seed"}, append(db, file)...)...); err != nil {
					t.Fatalf("seed: %v %s", err, stderr)
				}
			}
			stdout, stderr, err := runCommand(t, append([]string{"audit", "export"}, db...)...)
			if err != nil {
				t.Fatalf("export: %v %s", err, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != 2 {
				t.Fatalf("export: %q", stdout)
			}
			var event store.AuditEvent
			if err := json.Unmarshal([]byte(lines[0]), &event); err != nil || event.API != "seed" || event.Actor.Kind != "operator" ||
				event.Targets[0].ID != first || event.Targets[1].ID != "crm-sync" {
				t.Fatalf("first event %q: %v", lines[0], err)
			}
			if stdout, _, err := runCommand(t, append([]string{"audit", "export", "--after", "1"}, db...)...); err != nil || strings.Count(stdout, "\n") != 1 {
				t.Fatalf("export --after 1: %v %q", err, stdout)
			}
			if stdout, _, err := runCommand(t, append([]string{"audit", "export", "--from", "2999-01-01T00:00:00Z"}, db...)...); err != nil || stdout != "" {
				t.Fatalf("export --from the future: %v %q", err, stdout)
			}
			if _, _, err := runCommand(t, append([]string{"audit", "export", "--from", "yesterday"}, db...)...); err == nil {
				t.Fatal("export --from yesterday: no error")
			}
			stdout, _, err = runCommand(t, append([]string{"audit", "verify"}, db...)...)
			if err != nil || !strings.Contains(stdout, "2 events") {
				t.Fatalf("verify: %v %q", err, stdout)
			}

			// tail: only events after the head, as they come.
			ctx, cancel := context.WithCancel(context.Background())
			var out syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, append([]string{"audit", "tail", "--poll", "50ms"}, db...), &out, &bytes.Buffer{})
			}()
			time.Sleep(500 * time.Millisecond) // let tail read the head (a test of tail, not of timing: it polls)
			third := writeFile(t, "third.yaml", `users: [{login: bob, name: Bob}]`)
			if _, stderr, err := runCommand(t, append([]string{"seed"}, append(db, third)...)...); err != nil {
				t.Fatalf("seed: %v %s", err, stderr)
			}
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(out.String(), "third.yaml") && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("tail: %v", err)
			}
			if got := strings.TrimSpace(out.String()); strings.Count(got, "\n") != 0 || !strings.Contains(got, "third.yaml") {
				t.Fatalf("tail wrote %q, want the third file's event alone", got)
			}

			var status *exitStatus
			storetest.Exec(t, opts, "DELETE FROM audit_events WHERE seq = 3")
			_, _, err = runCommand(t, append([]string{"audit", "verify"}, db...)...)
			if !errors.As(err, &status) || status.code != 4 || !strings.Contains(err.Error(), "seq 3") {
				t.Fatalf("verify after deleting the last event: %v", err)
			}
			storetest.Exec(t, opts, "UPDATE audit_events SET actor_id = 'mallory' WHERE seq = 2")
			_, _, err = runCommand(t, append([]string{"audit", "verify"}, db...)...)
			if !errors.As(err, &status) || status.code != 3 || !strings.Contains(err.Error(), "seq 2") {
				t.Fatalf("verify after an edit: %v", err)
			}
		})
	}
}
