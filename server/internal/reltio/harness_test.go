package reltio_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

func newReltioHarness(t testing.TB, dialect store.Dialect, extra ...string) *servertest.Harness {
	return servertest.New(t, dialect, append([]string{servertest.ReltioFixture}, extra...)...)
}

// customerRoleNames reads GET .../roles as the platform administrator.
func customerRoleNames(h *servertest.Harness, customer string) string {
	h.T.Helper()
	rec := h.Do(servertest.Get(h.UserToken("platform-admin"), servertest.ReltioPath(customer, "/roles")))
	if rec.Code != http.StatusOK {
		h.T.Fatalf("list roles: %d %s", rec.Code, rec.Body)
	}
	return servertest.CompactJSON(h.T, rec.Body.String())
}

// concurrently runs n calls at once and counts their statuses.
func concurrently(n int, call func(i int) int) map[int]int {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		statuses = map[int]int{}
		start    = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status := call(i)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

func benchmarkRequest(b *testing.B, h *servertest.Harness, r servertest.Request, status int) {
	b.ReportAllocs()
	for b.Loop() {
		if rec := h.Do(r); rec.Code != status {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
