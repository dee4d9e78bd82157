package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestReadinessWithEveryPoolConnectionBusy: requests that hold every connection of the
// pool (writes waiting for a lock held elsewhere) make the instance busy, not its database
// unreachable: /readyz stays 200 while the database answers. (That /readyz turns 503 when
// the database is down is server's TestDatabaseOutage.)
func TestReadinessWithEveryPoolConnectionBusy(t *testing.T) {
	const (
		poolSize = 16 // store's bound
		writers  = poolSize + 8
	)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			dataDir := opts.DataDir
			if dataDir == "" {
				dataDir = t.TempDir()
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// The writers wait for the lock while the checks run: within their deadline on
			// PostgreSQL, within the busy timeout (10 s) on SQLite; both outlast the checks.
			s := startServe(t, ctx, "--data-dir", dataDir, "--database-url", opts.DatabaseURL, "--request-timeout", "20s", "--rate-limit", "0")
			release := storetest.BlockWrites(t, opts)

			statuses := make([]int, writers)
			var wg sync.WaitGroup
			for i := range writers {
				wg.Go(func() {
					req, _ := http.NewRequest(http.MethodPost, s.base+"/core/customermgr/v3/customer/grant", strings.NewReader(demoGrant))
					req.Header.Set("Authorization", "Bearer "+s.token)
					req.Header.Set("Content-Type", "application/json")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Errorf("writer %d: %v", i, err)
						return
					}
					resp.Body.Close()
					statuses[i] = resp.StatusCode
				})
			}
			finishWriters := func() {
				release()
				wg.Wait()
			}
			defer finishWriters()
			// On SQLite, write transactions share one connection of their own and queue for it.
			busy := poolSize
			if dialect == store.SQLite {
				busy = 1
			}
			s.waitPoolInUse(t, busy)

			// Several probes, each of which, on a busy pool, would have waited its 2 s for a connection.
			for range 3 {
				if status, body := s.get(t, "/readyz", ""); status != http.StatusOK {
					t.Errorf("/readyz with every pool connection busy: %d %s", status, body)
				}
			}
			s.waitPoolInUse(t, busy) // still saturated: the probes were made under load
			finishWriters()
			t.Logf("the writers' statuses once the lock was let go: %v", statuses)
		})
	}
}

// waitPoolInUse polls /metrics until n connections of the database pool are in use.
func (s *runningServe) waitPoolInUse(t *testing.T, n int) {
	t.Helper()
	want := fmt.Sprintf("custaccess_db_connections{state=\"in_use\"} %d\n", n)
	var body []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(s.base + "/metrics")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %d pool connections in use; metrics:\n%s", n, body)
		}
	}
}
