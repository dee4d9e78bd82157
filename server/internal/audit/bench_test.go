package audit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// discard is a response writer that keeps nothing but the count of bytes written, so that
// the benchmark measures what the service allocates, not a buffer of the whole export.
type discard struct {
	header  http.Header
	written int64
	status  int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) WriteHeader(status int)      { d.status = status }
func (d *discard) Flush()                      {}
func (d *discard) Write(p []byte) (int, error) { d.written += int64(len(p)); return len(p), nil }

// BenchmarkNDJSONExport exports 100,000 events through the whole stack and reports the
// bytes written and allocated per event, and the heap's growth during the export: memory
// must stay bounded whatever the selection's size.
//
//	go test -run '^$' -bench NDJSONExport -benchtime 1x ./server/internal/audit/
func BenchmarkNDJSONExport(b *testing.B) {
	const events = 100_000
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			h := servertest.NewConfigured(b, dialect, func(c *server.Config) { c.RequestTimeout = 10 * time.Minute }, auditorsFixture)
			ctx := store.WithAuditSource(context.Background(), store.AuditSource{
				Actor: store.AuditActor{Kind: "user", ID: "agent", Issuer: "custaccess"}, OperationID: "createCustomerGrants", RequestID: "bench"})
			for start := 0; start < events; start += 5000 {
				err := h.Store.Transaction(ctx, func(tx *store.Tx) error {
					for i := start; i < start+5000; i++ {
						if err := tx.AuditGrantsCreated(int64(1000+i%500), []int64{int64(100_000 + i)}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if _, err := h.Store.SealAuditEvents(context.Background()); err != nil {
				b.Fatal(err)
			}
			token := h.UserToken("auditor")
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/audit/v1/events?api=egain", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Accept", "application/x-ndjson")
				w := &discard{header: http.Header{}}
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				h.E.ServeHTTP(w, req)
				runtime.ReadMemStats(&after)
				if w.status != http.StatusOK || w.written < events*100 {
					b.Fatalf("status %d, %d bytes", w.status, w.written)
				}
				b.ReportMetric(float64(w.written)/events, "written-B/event")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/events, "alloc-B/event")
				b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-growth-MiB")
			}
		})
	}
}
