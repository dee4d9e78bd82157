package servertest

import (
	"sync"
	"testing"
)

// Concurrently runs n calls at once, released together, and counts the statuses they return.
func Concurrently(n int, call func(i int) int) map[int]int {
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

// BenchmarkRequest sends r through the stack b.N times, failing on any other status.
func BenchmarkRequest(b *testing.B, h *Harness, r Request, status int) {
	b.ReportAllocs()
	for b.Loop() {
		if rec := h.Do(r); rec.Code != status {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
