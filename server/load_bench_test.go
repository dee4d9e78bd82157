package server

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
				h := newConfiguredHarness(b, dialect, func(cfg *Config) {
					cfg.RateLimit = RateLimit{PerSecond: 1e6, Burst: 1e6} // on, as in production, never refusing
				}, manyCustomers(5000, 200), reltioFixture, oracleFixture)
				server := httptest.NewServer(h.e)
				defer server.Close()
				mix := loadMix(h)
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
							if err := sendOverHTTP(client, server.URL, r); err != nil {
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
			})
		}
	}
}

// loadRequest is one request of the mix and the status it must get.
type loadRequest struct {
	request
	status int
}

// loadMix is 8 reads to 2 writes; the writes are idempotent (an eGain grant that exists,
// an Oracle upsert), so the mix can be sent any number of times.
func loadMix(h *harness) []loadRequest {
	client, reltioAdmin, cssAdmin := h.clientToken("crm-sync"), h.userToken("reltio-admin"), h.userToken("css-admin")
	upsert := adf(http.MethodPost, rolesPath(pat), cssAdmin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`).with("Upsert-Mode", "true")
	h.do(upsert)
	if rec := h.do(post(client, grantBody("5000", idRange(5001, 40)...))); rec.Code != http.StatusCreated {
		h.t.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	return []loadRequest{
		{get(client, grantsPath("5000")), http.StatusOK},
		{get(reltioAdmin, reltioPath("TestCustomer", "/roles")), http.StatusOK},
		{adf(http.MethodGet, rolesPath(pat), cssAdmin, ""), http.StatusOK},
		{get(client, grantsPath("5001")), http.StatusOK},
		{post(client, grantBody("5000", "5001", "5002")), http.StatusCreated},
		{get(reltioAdmin, reltioPath("TestCustomer", "/roles/permissions")), http.StatusOK},
		{adf(http.MethodGet, rolePath(pat, 1), cssAdmin, ""), http.StatusOK},
		{get(client, grantsPath("5000")), http.StatusOK},
		{upsert, http.StatusOK},
		{get(reltioAdmin, reltioPath("TestCustomer", "/roles")), http.StatusOK},
	}
}

func sendOverHTTP(client *http.Client, base string, r loadRequest) error {
	req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != r.status {
		return fmt.Errorf("%s %s: status %d, want %d: %s", r.method, r.path, resp.StatusCode, r.status, body)
	}
	return nil
}
