package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// sealedEventRow is what the tests read of a sealed event, in SQL beside the service: no
// reader of the store's, which would seal pending events itself.
type sealedEventRow struct {
	Seq     int64
	Changes string
}

func (sealedEventRow) TableName() string { return "audit_events" }

// sealedEvents reads the sealed events in seq order, in SQL beside the service.
func sealedEvents(t *testing.T, opts store.Options) []sealedEventRow {
	t.Helper()
	var rows []sealedEventRow
	storetest.Rows(t, opts, &rows, "seq")
	return rows
}

// waitForSealed polls the sealed events until done accepts them, for at most a minute.
func waitForSealed(t *testing.T, opts store.Options, what string, done func([]sealedEventRow) bool) []sealedEventRow {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		rows := sealedEvents(t, opts)
		if done(rows) {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not after a minute; sealed events %+v", what, rows)
		}
	}
}

func seqsOf(rows []sealedEventRow) []int64 {
	seqs := make([]int64, len(rows))
	for i, r := range rows {
		seqs[i] = r.Seq
	}
	return seqs
}

// argsOf points a command at the database that opts reach.
func argsOf(t *testing.T, opts store.Options) []string {
	dataDir := opts.DataDir
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	return []string{"--data-dir", dataDir, "--database-url", opts.DatabaseURL}
}

// seedEvents loads n small seed files, one event each.
func seedEvents(t *testing.T, db []string, n int) {
	t.Helper()
	for i := range n {
		file := writeFile(t, fmt.Sprintf("seed-%d.yaml", i), fmt.Sprintf(`users: [{login: seeded-%d, name: Seeded}]`, i))
		if _, stderr, err := runCommand(t, append([]string{"seed"}, append(db, file)...)...); err != nil {
			t.Fatalf("seed: %v %s", err, stderr)
		}
	}
}

// exitCode runs the real binary and returns its exit status (-1 when it ran for a minute
// and was killed) and what it printed.
func exitCode(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	// A command that does not end (serve accepting what it should refuse) is killed.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("%v: %v", args, err)
	return 0, "", ""
}

// TestAuditVerifyExitStatus runs the real binary's `audit verify` on a whole and on a
// tampered trail: exit 0 whole, 3 edited, 4 missing, 5 reordered, each naming the first
// broken seq, and 2 when verify cannot run.
func TestAuditVerifyExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	cases := []struct {
		name   string
		tamper string
		at     int64
		status int
		output string
	}{
		{name: "whole", status: 0, output: "3 events after checkpoint 0, last seq 3"},
		{name: "edited", tamper: "edit", at: 2, status: 3, output: "broken at seq 2: edited"},
		{name: "first edited", tamper: "edit", at: 1, status: 3, output: "broken at seq 1: edited"},
		{name: "deleted", tamper: "delete", at: 2, status: 4, output: "broken at seq 2: missing"},
		{name: "last deleted", tamper: "delete", at: 3, status: 4, output: "broken at seq 3: missing"},
		{name: "swapped", tamper: "swap", at: 1, status: 5, output: "broken at seq 1: reordered"},
		{name: "last two swapped", tamper: "swap", at: 2, status: 5, output: "broken at seq 2: reordered"},
	}
	for _, dialect := range storetest.Dialects(t) {
		for _, c := range cases {
			t.Run(string(dialect)+"/"+c.name, func(t *testing.T) {
				opts := storetest.Options(t, dialect)
				db := argsOf(t, opts)
				seedEvents(t, db, 3)
				if _, stdout, stderr := exitCode(t, nil, append([]string{"audit", "verify"}, db...)...); !strings.Contains(stdout, "3 events") {
					t.Fatalf("before tampering: %s %s", stdout, stderr)
				}
				if c.tamper != "" {
					storetest.TamperAudit(t, opts, c.tamper, c.at)
				}
				status, stdout, stderr := exitCode(t, nil, append([]string{"audit", "verify"}, db...)...)
				if status != c.status || !strings.Contains(stdout+stderr, c.output) {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", status, stdout, stderr, c.status, c.output)
				}
			})
		}
	}
	t.Run("verify cannot run", func(t *testing.T) {
		for _, args := range [][]string{
			{"audit", "verify", "--log-level", "loud"},
			{"audit", "verify", "--migrate-timeout", "0s"},
		} {
			status, _, stderr := exitCode(t, nil, append(args, "--data-dir", t.TempDir(), "--database-url", "")...)
			if status != 2 || !strings.Contains(stderr, "custaccess:") {
				t.Errorf("%v: exit %d, stderr %q; want exit 2 and the error", args, status, stderr)
			}
		}
	})
}

// TestAuditRetentionRefusedAtStart: a negative or malformed retention, as a flag or in
// CUSTACCESS_AUDIT_RETENTION, ends serve before it opens the database, with exit status 2
// and a message naming the setting.
func TestAuditRetentionRefusedAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	names := regexp.MustCompile(`(?i)audit[-_]retention`)
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{args: []string{"--audit-retention", "-1h"}, want: "must not be negative"},
		{args: []string{"--audit-retention=-1ns"}, want: "must not be negative"},
		{env: "-30m", want: "must not be negative"},
		{args: []string{"--audit-retention", "90d"}, want: `invalid value "90d"`},
		{args: []string{"--audit-retention", "1"}, want: `invalid value "1"`},
		{args: []string{"--audit-retention", ""}, want: `invalid value ""`},
		// A variable's value is not repeated (the environment may hold secrets).
		{env: "forever", want: "CUSTACCESS_AUDIT_RETENTION: parse error"},
		{env: "2160", want: "CUSTACCESS_AUDIT_RETENTION: parse error"},
		// A valid variable does not save an invalid flag, nor the reverse.
		{env: "24h", args: []string{"--audit-retention", "-24h"}, want: "must not be negative"},
		{env: "24x", args: []string{"--audit-retention", "24h"}, want: "CUSTACCESS_AUDIT_RETENTION: parse error"},
	} {
		t.Run(fmt.Sprintf("%q %q", c.env, c.args), func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			var env []string
			if c.env != "" {
				env = []string{"CUSTACCESS_AUDIT_RETENTION=" + c.env}
			}
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--database-url", ""}, c.args...)
			status, _, stderr := exitCode(t, env, args...)
			if status != 2 || !strings.Contains(stderr, c.want) || !names.MatchString(stderr) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q naming the setting", status, stderr, c.want)
			}
			if strings.Contains(stderr, `"listening"`) {
				t.Errorf("serve listened: %s", stderr)
			}
			if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the data directory was created (%v): refused after opening the database", err)
			}
		})
	}
}

// postGrant makes the demo grant through HTTP as the demo user.
func postGrant(t *testing.T, s *runningServe) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/core/customermgr/v3/customer/grant", strings.NewReader(demoGrant))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("grant: status %d", resp.StatusCode)
	}
}

// TestServeSealsInTheBackground: a write through HTTP is sealed into the chain by serve
// alone, without any reader of the trail (the test reads the table in SQL).
func TestServeSealsInTheBackground(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			db := argsOf(t, opts)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := startServe(t, ctx, db...) // loads the demo: one seed event
			postGrant(t, s)
			rows := waitForSealed(t, opts, "the grant's event sealed", func(rows []sealedEventRow) bool {
				return slices.ContainsFunc(rows, func(r sealedEventRow) bool { return strings.Contains(r.Changes, `"grantee":"1020"`) })
			})
			if !slices.Equal(seqsOf(rows), []int64{1, 2}) || !strings.Contains(rows[1].Changes, `"grantee":"1002"`) {
				t.Errorf("sealed events %+v, want the demo's and the grant's, seq 1 and 2", rows)
			}
			cancel()
			if err := <-s.done; err != nil {
				t.Fatalf("serve: %v", err)
			}
			if stdout, _, err := runCommand(t, append([]string{"audit", "verify"}, db...)...); err != nil || !strings.Contains(stdout, "2 events") {
				t.Fatalf("verify: %v %q", err, stdout)
			}
		})
	}
}

// TestServePrunesOnSchedule: serve with a retention prunes the events older than it by
// itself, at start and then periodically while it runs, and keeps newer ones; verify passes
// afterwards, starting from the checkpoint. The test reads the table in SQL, so no reader of the store's prunes or seals.
func TestServePrunesOnSchedule(t *testing.T) {
	if got := auditPruneInterval(90 * 24 * time.Hour); got != time.Hour {
		t.Errorf("prune interval at 90 days: %v, want 1h", got)
	}
	if got := auditPruneInterval(time.Millisecond); got != time.Second {
		t.Errorf("prune interval at 1ms: %v, want 1s", got)
	}
	const retention = 3 * time.Second
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			db := argsOf(t, opts)
			if _, stderr, err := runCommand(t, append([]string{"seed"}, append(db, "demo.yaml")...)...); err != nil {
				t.Fatalf("seed: %v %s", err, stderr)
			}
			seedEvents(t, db, 2) // events 1–3
			// Let them grow older than the retention (a wait for a state, not a measurement).
			time.Sleep(retention + 100*time.Millisecond)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := startServe(t, ctx, append(db, "--audit-retention", retention.String())...)
			postGrant(t, s) // event 4, newer than the retention: kept
			waitForSealed(t, opts, "events 1–3 pruned, event 4 kept", func(rows []sealedEventRow) bool {
				return slices.Equal(seqsOf(rows), []int64{4})
			})
			if !strings.Contains(s.stderr.String(), `"events_removed":3`) {
				t.Errorf("serve did not log the pruning: %s", s.stderr.String())
			}
			// Then, serve still running, event 4 grows older than the retention: the
			// periodic pass (every second at this retention) prunes it too.
			waitForSealed(t, opts, "event 4 pruned by a later pass", func(rows []sealedEventRow) bool {
				return len(rows) == 0
			})
			if !strings.Contains(s.stderr.String(), `"events_removed":1`) {
				t.Errorf("serve did not log the later pruning: %s", s.stderr.String())
			}
			cancel()
			if err := <-s.done; err != nil {
				t.Fatalf("serve: %v", err)
			}
			stdout, _, err := runCommand(t, append([]string{"audit", "verify"}, db...)...)
			if err != nil || !strings.Contains(stdout, "0 events after checkpoint 4, last seq 4") {
				t.Fatalf("verify after pruning: %v %q", err, stdout)
			}
		})
	}
}
