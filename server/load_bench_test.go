package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// BenchmarkLoadOverHTTP is a load test: concurrent keep-alive clients on loopback TCP
// send a mix of reads and writes of the three APIs to one server, the whole stack
// included (request log, metrics, rate limiter on, validation, auth, database). It reports
// requests per second and latency percentiles; b.N bounds the requests.
//
//	go test -run '^$' -bench LoadOverHTTP -benchtime 5000x ./server/
func BenchmarkLoadOverHTTP(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		for _, clients := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/clients-%d", dialect, clients), func(b *testing.B) {
				h := loadHarness(b, dialect)
				loadOverHTTP(b, h, loadMix(h), clients)
			})
		}
	}
}

// BenchmarkWritesOverHTTP loads one write at a time, from 16 clients: Reltio's
// assign-permissions and Oracle's role upsert (both idempotent, so they can be sent any
// number of times; each is a whole write, its transaction and audit event included).
//
//	go test -run '^$' -bench WritesOverHTTP -benchtime 3000x ./server/
func BenchmarkWritesOverHTTP(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(fmt.Sprintf("%s/reltio-assign-permissions", dialect), func(b *testing.B) {
			h := loadHarness(b, dialect)
			assign := servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath("TestCustomer", "/roles/permissions"),
				`[{"roleName":"ROLE_ANALYST","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ"]}]}]}]`)
			loadOverHTTP(b, h, []loadRequest{{assign, http.StatusOK}}, 16)
		})
		b.Run(fmt.Sprintf("%s/oracle-upsert-role", dialect), func(b *testing.B) {
			h := loadHarness(b, dialect)
			loadOverHTTP(b, h, []loadRequest{{oracleUpsert(h), http.StatusOK}}, 16)
		})
	}
}

// loadHarness is a server with the three APIs' fixtures and the rate limiter on, as in
// production, never refusing.
func loadHarness(b *testing.B, dialect store.Dialect) *servertest.Harness {
	return servertest.NewConfigured(b, dialect, func(cfg *server.Config) {
		cfg.RateLimit = server.RateLimit{PerSecond: 1e6, Burst: 1e6}
	}, servertest.ManyCustomers(5000, 200), servertest.ReltioFixture, servertest.OracleFixture)
}

// loadOverHTTP sends b.N requests of mix, in turn, from clients concurrent keep-alive
// clients, and reports requests per second and latency percentiles.
func loadOverHTTP(b *testing.B, h *servertest.Harness, mix []loadRequest, clients int) {
	ts := httptest.NewServer(h.E)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()

	latencies := make([]time.Duration, b.N)
	var sent atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(sent.Add(1) - 1)
				if i >= b.N {
					return
				}
				r := mix[i%len(mix)]
				began := time.Now()
				if err := sendOverHTTP(client, ts.URL, r); err != nil {
					b.Error(err)
					return
				}
				latencies[i] = time.Since(began)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	percentile := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(percentile(0.50), "p50-ms")
	b.ReportMetric(percentile(0.99), "p99-ms")
	b.ReportMetric(percentile(1), "max-ms")
}

// loadRequest is one request of the mix and the status it must get.
type loadRequest struct {
	servertest.Request
	status int
}

// loadMix is 8 reads to 2 writes; the writes are idempotent (an eGain grant that exists,
// an Oracle upsert), so the mix can be sent any number of times.
func loadMix(h *servertest.Harness) []loadRequest {
	client, reltioAdmin, cssAdmin := h.ClientToken("crm-sync"), h.UserToken("reltio-admin"), h.UserToken("css-admin")
	upsert := oracleUpsert(h)
	if rec := h.Do(servertest.Post(client, servertest.GrantBody("5000", servertest.IDRange(5001, 40)...))); rec.Code != http.StatusCreated {
		h.T.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	return []loadRequest{
		{servertest.Get(client, servertest.GrantsPath("5000")), http.StatusOK},
		{servertest.Get(reltioAdmin, servertest.ReltioPath("TestCustomer", "/roles")), http.StatusOK},
		{servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), cssAdmin, ""), http.StatusOK},
		{servertest.Get(client, servertest.GrantsPath("5001")), http.StatusOK},
		{servertest.Post(client, servertest.GrantBody("5000", "5001", "5002")), http.StatusCreated},
		{servertest.Get(reltioAdmin, servertest.ReltioPath("TestCustomer", "/roles/permissions")), http.StatusOK},
		{servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Pat, 1), cssAdmin, ""), http.StatusOK},
		{servertest.Get(client, servertest.GrantsPath("5000")), http.StatusOK},
		{upsert, http.StatusOK},
		{servertest.Get(reltioAdmin, servertest.ReltioPath("TestCustomer", "/roles")), http.StatusOK},
	}
}

// oracleUpsert upserts Pat's user role (done once here, so that every later one answers 200).
func oracleUpsert(h *servertest.Harness) servertest.Request {
	upsert := servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`).With("Upsert-Mode", "true")
	h.Do(upsert)
	return upsert
}

func sendOverHTTP(client *http.Client, base string, r loadRequest) error {
	req, err := http.NewRequest(r.Method, base+r.Path, strings.NewReader(r.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.Token)
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != r.status {
		return fmt.Errorf("%s %s: status %d, want %d: %s", r.Method, r.Path, resp.StatusCode, r.status, body)
	}
	return nil
}
