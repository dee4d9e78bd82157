package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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

// outageRequests is how many grant requests are sent while the database goes down.
const outageRequests = 200

// outageFixture adds, for request i, customer 500i and its two grantees 600i and 700i.
func outageFixture() string {
	var b strings.Builder
	b.WriteString("customers:\n")
	for i := range outageRequests {
		for _, base := range []int{5000, 6000, 7000} {
			fmt.Fprintf(&b, "  - {id: \"%d\", name: C%d, type: individual, department: 10}\n", base+i, base+i)
		}
	}
	return b.String()
}

// TestDatabaseOutage stops, pauses and restarts a PostgreSQL of the test's own under a
// running server: requests fail with 503 in their vendor's shape within the request
// deadline, nothing is written half-way, /readyz turns red while /healthz stays green,
// and service resumes by itself when the database is back.
func TestDatabaseOutage(t *testing.T) {
	const timeout = time.Second
	// The answer may come at the deadline; this bound only catches a hang.
	const bound = timeout + 3*time.Second
	cluster := storetest.StartCluster(t)
	h := servertest.NewOn(t, store.Options{DatabaseURL: cluster.URL()}, func(cfg *server.Config) { cfg.RequestTimeout = timeout },
		servertest.ReltioFixture, servertest.TokenFixture, servertest.OracleFixture, outageFixture())
	agent, admin, cssAdmin := h.UserToken("agent"), h.UserToken("reltio-admin"), h.UserToken("css-admin")
	if rec := h.Do(servertest.Get("", "/readyz")); rec.Code != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d %s", rec.Code, rec.Body)
	}
	timed := func(name string, req servertest.Request) *httptest.ResponseRecorder {
		start := time.Now()
		rec := h.Do(req)
		if elapsed := time.Since(start); elapsed > bound {
			t.Errorf("%s: answered after %v, deadline %v", name, elapsed, timeout)
		}
		return rec
	}

	// Grant requests run, a few milliseconds apart, while the server is stopped under
	// them: each succeeds or fails with 503, whole. Once the stop is complete, each worker
	// sends one more, which must fail. Workers report with t.Errorf and return: t.Fatalf
	// belongs to the test's goroutine.
	const workers = 4
	statuses := make([]int, outageRequests) // 0: not sent
	var next, succeeded atomic.Int32
	var stopped atomic.Bool
	var wg sync.WaitGroup
	sendGrant := func(i int) int {
		rec := timed("grant during the stop", servertest.Post(agent, servertest.GrantBody(fmt.Sprint(5000+i), fmt.Sprint(6000+i), fmt.Sprint(7000+i))))
		statuses[i] = rec.Code
		if rec.Code == http.StatusServiceUnavailable {
			if code := servertest.DecodeWSError(t, rec).Code; code != "503-100" {
				t.Errorf("request %d: 503 with code %s, want 503-100", i, code)
			}
		}
		return rec.Code
	}
	for worker := range workers {
		wg.Go(func() {
			// The last indexes are kept for the requests sent once the server is down.
			for !stopped.Load() {
				i := int(next.Add(1) - 1)
				if i >= outageRequests-workers {
					time.Sleep(10 * time.Millisecond) // out of customers: wait for the stop
					continue
				}
				if sendGrant(i) == http.StatusCreated {
					succeeded.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
			i := outageRequests - workers + worker
			if status := sendGrant(i); status != http.StatusServiceUnavailable {
				t.Errorf("request %d, sent once the server was down: status %d, want 503", i, status)
			}
		})
	}
	stopWorkers := func() {
		stopped.Store(true)
		wg.Wait()
	}
	for deadline := time.Now().Add(60 * time.Second); succeeded.Load() < workers; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			stopWorkers()
			t.Fatalf("only %d grant requests succeeded within 60 s before the outage", succeeded.Load())
		}
	}
	cluster.Stop()
	stopWorkers()

	// While it is down, every API answers 503 in its own shape, at once.
	servertest.WSError(t, timed("eGain read", servertest.Get(agent, servertest.GrantsPath("1000"))), http.StatusServiceUnavailable, "503-100")
	servertest.WSError(t, timed("eGain write", servertest.Post(agent, servertest.GrantBody("1000", "1002"))), http.StatusServiceUnavailable, "503-100")
	servertest.ReltioErr(t, timed("Reltio read", servertest.Get(admin, servertest.ReltioPath("TestCustomer", "/roles"))), http.StatusServiceUnavailable, 50301)
	servertest.ADFErrorOf(t, timed("Oracle read", servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), cssAdmin, "")), http.StatusServiceUnavailable, "ADF_REST_SERVICE_UNAVAILABLE")
	servertest.ADFErrorOf(t, timed("Oracle write", servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)),
		http.StatusServiceUnavailable, "ADF_REST_SERVICE_UNAVAILABLE")
	servertest.OAuthErr(t, h.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm()}),
		http.StatusServiceUnavailable, "temporarily_unavailable")
	if rec := timed("readyz", servertest.Get("", "/readyz")); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "database unreachable") {
		t.Errorf("/readyz while the database is down: %d %s", rec.Code, rec.Body)
	}
	if rec := h.Do(servertest.Get("", "/healthz")); rec.Code != http.StatusOK {
		t.Errorf("/healthz while the database is down: %d", rec.Code)
	}

	// A database that hangs instead of refusing: requests end at their deadline.
	cluster.Start()
	waitForService(t, h, agent)
	cluster.Pause()
	servertest.WSError(t, timed("eGain read, database hanging", servertest.Get(agent, servertest.GrantsPath("1000"))), http.StatusServiceUnavailable, "503-100")
	servertest.ReltioErr(t, timed("Reltio write, database hanging", servertest.Send(http.MethodPost, admin, servertest.ReltioPath("TestCustomer", "/roles"), `["HUNG"]`)),
		http.StatusServiceUnavailable, 50301)
	servertest.ADFErrorOf(t, timed("Oracle write, database hanging", servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)),
		http.StatusServiceUnavailable, "ADF_REST_SERVICE_UNAVAILABLE")
	cluster.Resume()
	waitForService(t, h, agent)

	if rec := h.Do(servertest.Get("", "/readyz")); rec.Code != http.StatusOK {
		t.Errorf("/readyz after the outage: %d %s", rec.Code, rec.Body)
	}
	pairs := h.GrantPairs()
	counts := map[int]int{}
	for i, status := range statuses {
		counts[status]++
		on := fmt.Sprint(5000 + i)
		held := 0
		for _, pair := range pairs {
			if strings.HasPrefix(pair, on+">") {
				held++
			}
		}
		switch {
		case status == 0 && held != 0:
			t.Errorf("request %d was never sent but its grants exist", i)
		case status == 0:
		case status != http.StatusCreated && status != http.StatusServiceUnavailable:
			t.Errorf("request %d: status %d, want 201 or 503", i, status)
		case status == http.StatusCreated && held != 2:
			t.Errorf("request %d succeeded but wrote %d of its 2 grants", i, held)
		case held != 0 && held != 2:
			t.Errorf("request %d failed half-way: %d of its 2 grants written", i, held)
		}
	}
	t.Logf("grant requests by status (0: not sent) around the stop: %v", counts)
	for _, pair := range pairs {
		if strings.HasPrefix(pair, "1000>") {
			t.Errorf("a request refused during the outage wrote %s", pair)
		}
	}
	if rec := h.Do(servertest.Send(http.MethodPost, admin, servertest.ReltioPath("TestCustomer", "/roles"), `["HUNG"]`)); rec.Code != http.StatusOK {
		t.Errorf("Reltio after the outage: %d %s", rec.Code, rec.Body)
	}
	if roles := servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), cssAdmin, ""))); len(roles.Items) != 0 {
		t.Errorf("Oracle creates refused during the outage wrote %d roles", len(roles.Items))
	}
	if rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)); rec.Code != http.StatusCreated {
		t.Errorf("Oracle after the outage: %d %s", rec.Code, rec.Body)
	}
}

// waitForService polls until a read succeeds again: the server recovers by itself.
func waitForService(t *testing.T, h *servertest.Harness, token string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec := h.Do(servertest.Get(token, servertest.GrantsPath("1000")))
		if rec.Code == http.StatusNoContent || rec.Code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery within 30 s after the database came back: %d %s", rec.Code, rec.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
