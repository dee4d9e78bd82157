package egain_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// Benchmarks through the whole stack (validation, auth, handler, database):
//
//	go test -run '^$' -bench . -benchmem ./server/internal/egain/
func BenchmarkGrants(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		h, token := benchmarkHarness(b, dialect)
		b.Run(string(dialect)+"/list-75", func(b *testing.B) {
			servertest.BenchmarkRequest(b, h, servertest.Get(token, servertest.GrantsPath("5000")), http.StatusOK)
		})
		b.Run(string(dialect)+"/create-75-existing", func(b *testing.B) {
			servertest.BenchmarkRequest(b, h, servertest.Post(token, servertest.GrantBody("5000", servertest.IDRange(5001, 75)...)), http.StatusCreated)
		})
		b.Run(string(dialect)+"/create-then-delete-1", func(b *testing.B) {
			create := servertest.Post(token, servertest.GrantBody("5001", "5002"))
			remove := servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("5001", "5002"), Token: token}
			b.ReportAllocs()
			for b.Loop() {
				if rec := h.Do(create); rec.Code != http.StatusCreated {
					b.Fatalf("create: %d %s", rec.Code, rec.Body)
				}
				if rec := h.Do(remove); rec.Code != http.StatusNoContent {
					b.Fatalf("delete: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// benchmarkHarness is a harness whose customer 5000 has 75 grantees (5001-5075), and an API
// client's token.
func benchmarkHarness(b *testing.B, dialect store.Dialect) (*servertest.Harness, string) {
	h := servertest.New(b, dialect, servertest.ManyCustomers(5000, 80))
	token := h.ClientToken("crm-sync")
	if rec := h.Do(servertest.Post(token, servertest.GrantBody("5000", servertest.IDRange(5001, 75)...))); rec.Code != http.StatusCreated {
		b.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	return h, token
}
