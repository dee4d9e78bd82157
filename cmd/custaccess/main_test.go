package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// dbArgs points a command at a fresh database of the dialect, with its own data directory.
func dbArgs(t *testing.T, dialect store.Dialect) []string {
	opts := storetest.Options(t, dialect)
	dataDir := opts.DataDir
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	return []string{"--data-dir", dataDir, "--database-url", opts.DatabaseURL}
}

func runCommand(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func writeFile(t *testing.T, name, text string) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSeedAndToken(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			db := dbArgs(t, dialect)
			seedFile := writeFile(t, "seed.yaml", `
users: [{login: alice, name: Alice, actions: [Edit Customer]}]
clients: [{clientId: crm-sync, name: CRM, type: API}]
customers:
  - {id: "1002", name: John Doe, type: individual, canSignIn: true}
  - {id: "1000", name: Jane Roe, type: individual}
`)
			for range 2 { // seeding is idempotent
				if _, stderr, err := runCommand(t, append([]string{"seed"}, append(db, seedFile)...)...); err != nil {
					t.Fatalf("seed: %v %s", err, stderr)
				}
			}
			broken := writeFile(t, "broken.json", `{"customers":[{"id":"7","name":"X","type":"robot"}]}`)
			if _, _, err := runCommand(t, append([]string{"seed"}, append(db, broken)...)...); err == nil || !strings.Contains(err.Error(), "customers[0].type") {
				t.Fatalf("broken seed file: %v", err)
			}

			stdout, _, err := runCommand(t, append([]string{"token", "--user", "alice"}, db...)...)
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^[\w-]+\.[\w-]+\.[\w-]+\n$`).MatchString(stdout) {
				t.Fatalf("token printed %q, want only a JWT", stdout)
			}
			// The token verifies with the secret generated into the data directory, and
			// carries every user scope.
			cfg := config{dataDir: db[1]}
			tokens, err := cfg.tokens()
			if err != nil {
				t.Fatal(err)
			}
			claims, err := tokens.Parse(strings.TrimSpace(stdout))
			if err != nil {
				t.Fatal(err)
			}
			if claims.Subject != "alice" || claims.Kind != auth.PrincipalUser || claims.Scope != "core.customermgr.manage core.customermgr.read reltio.roles.manage reltio.roles.read" {
				t.Errorf("claims %+v", claims)
			}

			stdout, _, err = runCommand(t, append([]string{"token", "--client", "crm-sync", "--scope", "app.core.customermgr.read", "--ttl", "5m"}, db...)...)
			if err != nil {
				t.Fatal(err)
			}
			claims, err = tokens.Parse(strings.TrimSpace(stdout))
			if err != nil || claims.Kind != auth.PrincipalClient || claims.Scope != "app.core.customermgr.read" ||
				claims.ExpiresAt.Sub(claims.IssuedAt.Time) != 5*time.Minute {
				t.Errorf("client token: %+v, %v", claims, err)
			}

			// A customer the seed lets sign in gets the customer scope.
			stdout, _, err = runCommand(t, append([]string{"token", "--customer", "1002"}, db...)...)
			if err != nil {
				t.Fatal(err)
			}
			claims, err = tokens.Parse(strings.TrimSpace(stdout))
			if err != nil || claims.Kind != auth.PrincipalCustomer || claims.Subject != "1002" || claims.Scope != "core.customermgr.read" {
				t.Errorf("customer token: %+v, %v", claims, err)
			}

			for _, args := range [][]string{
				{"token", "--customer", "1000"},  // may not sign in
				{"token", "--customer", "9999"},  // no such customer
				{"token", "--customer", "01002"}, // not written canonically
				{"token", "--customer", "john"},
				{"token", "--customer", "1002", "--scope", "core.customermgr.manage"},
				{"token", "--customer", "1002", "--user", "alice"},
				{"token", "--user", "mallory"},
				{"token", "--client", "nobody"},
				{"token", "--user", "alice", "--scope", "app.core.customermgr.read"},
				{"token"},
			} {
				if stdout, _, err := runCommand(t, append(args, db...)...); err == nil || stdout != "" {
					t.Errorf("%v: printed %q, error %v; want a refusal", args, stdout, err)
				}
			}
		})
	}
}

// syncBuffer lets the test read what serve prints while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeDemo runs `serve --demo` and follows its printed instructions: the token and the
// curl command must create a grant.
func TestServeDemo(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, dbArgs(t, dialect)...), &stdout, &stderr)
			}()
			instructions := regexp.MustCompile(`(?s)listening on (http://\S+).*export TOKEN=(\S+).*curl -i -X POST (\S+) .*-d '([^']+)'`)
			var match []string
			for deadline := time.Now().Add(20 * time.Second); match == nil; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					cancel()
					t.Fatalf("serve printed no instructions; stdout %q stderr %q", stdout.String(), stderr.String())
				}
				match = instructions.FindStringSubmatch(stdout.String())
			}
			base, token, url, body := match[1], match[2], match[3], match[4]
			if !strings.HasPrefix(url, base) {
				t.Errorf("curl URL %s is not on %s", url, base)
			}
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("demo curl: status %d", resp.StatusCode)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v", err)
			}
		})
	}
}
