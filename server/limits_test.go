package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// TestRateLimitPerPrincipal: past its burst a principal gets 429 with Retry-After in the
// vendor's shape; other principals are not affected.
func TestRateLimitPerPrincipal(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		// One request per 1000 s: the bucket does not refill while the test runs.
		h := newConfiguredHarness(t, dialect, func(cfg *Config) {
			cfg.RateLimit = RateLimit{PerSecond: 0.001, Burst: 2}
		}, reltioFixture, oracleFixture)
		agent := h.userToken("agent")
		for i := range 2 {
			if rec := h.do(get(agent, grantsPath("1000"))); rec.Code != http.StatusNoContent {
				t.Fatalf("request %d within the burst: %d %s", i, rec.Code, rec.Body)
			}
		}
		rec := h.do(get(agent, grantsPath("1000")))
		wsError(t, rec, http.StatusTooManyRequests, "429-100")
		if retry, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || retry < 1 || retry > 1000 {
			t.Errorf("Retry-After %q, want whole seconds up to 1000", rec.Header().Get("Retry-After"))
		}
		// A refused request takes nothing: still refused, not pushed further back.
		wsError(t, h.do(post(agent, grantBody("1000", "1002"))), http.StatusTooManyRequests, "429-100")

		// Another principal, and the same login as a client, have buckets of their own.
		if rec := h.do(get(h.userToken("viewer"), grantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("another user: %d", rec.Code)
		}
		admin := h.userToken("reltio-admin")
		for range 2 {
			if rec := h.do(get(admin, reltioPath("TestCustomer", "/roles"))); rec.Code != http.StatusOK {
				t.Fatalf("Reltio within the burst: %d %s", rec.Code, rec.Body)
			}
		}
		rec = h.do(get(admin, reltioPath("TestCustomer", "/roles")))
		reltioErr(t, rec, http.StatusTooManyRequests, 42901)
		if rec.Header().Get("Retry-After") == "" {
			t.Error("Reltio 429 without Retry-After")
		}
		cssAdmin := h.userToken("css-admin")
		for range 2 {
			if rec := h.do(adf(http.MethodGet, rolesPath(pat), cssAdmin, "")); rec.Code != http.StatusOK {
				t.Fatalf("Oracle within the burst: %d %s", rec.Code, rec.Body)
			}
		}
		rec = h.do(adf(http.MethodGet, rolesPath(pat), cssAdmin, ""))
		adfErrorOf(t, rec, http.StatusTooManyRequests, "ADF_REST_TOO_MANY_REQUESTS")
		if rec.Header().Get("Retry-After") == "" {
			t.Error("Oracle 429 without Retry-After")
		}
		// Operational endpoints are never limited.
		for range 3 {
			if rec := h.do(get("", "/healthz")); rec.Code != http.StatusOK {
				t.Errorf("/healthz: %d", rec.Code)
			}
		}
	})
}

// TestRateLimiterIsBounded: a limiter tracks at most its bound of keys, forgetting the
// least recently seen first, however many keys callers make up.
func TestRateLimiterIsBounded(t *testing.T) {
	limiter := httpapi.NewRateLimiter(RateLimit{PerSecond: 0.001, Burst: 1})
	limiter.maxTracked = 3
	for _, key := range []string{"a", "b", "c"} {
		if _, ok := limiter.Allow(key); !ok {
			t.Fatalf("%s refused within its burst", key)
		}
	}
	if _, ok := limiter.Allow("a"); ok { // a is now the most recently seen
		t.Fatal("a allowed twice within its burst")
	}
	limiter.Allow("d") // forgets b, the least recently seen
	if n := len(limiter.buckets); n != 3 || limiter.recency.Len() != 3 {
		t.Fatalf("%d keys tracked, want 3", n)
	}
	if _, ok := limiter.Allow("a"); ok {
		t.Error("a was forgotten, though seen more recently than b")
	}
	if _, ok := limiter.Allow("b"); !ok {
		t.Error("b is still tracked: its empty bucket refused it")
	}
	for i := range 10_000 {
		limiter.Allow(strconv.Itoa(i))
	}
	if n := len(limiter.buckets); n != 3 {
		t.Errorf("%d keys tracked after 10000 new ones, want 3", n)
	}
	if httpapi.NewRateLimiter(RateLimit{}) != nil {
		t.Error("a zero rate limit limits")
	}
}

// holdCustomerLocks locks customers 1000 and 1002 in a transaction of its own (on SQLite,
// the whole database) until release, which waits for that transaction to end.
func holdCustomerLocks(t *testing.T, h *harness) (release func()) {
	t.Helper()
	locked, done := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- h.store.Transaction(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.CustomersByIDs([]int64{1000, 1002}, true); err != nil {
				return err
			}
			close(locked)
			<-done
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-holder:
		t.Fatalf("locking the customers: %v", err)
	}
	return func() {
		close(done)
		if err := <-holder; err != nil {
			t.Fatal(err)
		}
	}
}

// TestRequestDeadline: a query that cannot finish in time (the rows it needs are locked by
// another transaction) is cut at the request's deadline and answered with 503 in the
// vendor's shape; the request writes nothing.
func TestRequestDeadline(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		const timeout = 300 * time.Millisecond
		h := newConfiguredHarness(t, dialect, func(cfg *Config) { cfg.RequestTimeout = timeout }, reltioFixture)
		release := holdCustomerLocks(t, h)

		start := time.Now()
		wsError(t, h.do(post(h.userToken("agent"), grantBody("1000", "1002"))), http.StatusServiceUnavailable, "503-100")
		if elapsed := time.Since(start); elapsed > timeout+5*time.Second {
			t.Errorf("answered after %v, deadline %v", elapsed, timeout)
		}
		if dialect == store.SQLite {
			// SQLite's single writer lock blocks every write, Reltio's too.
			reltioErr(t, h.do(send(http.MethodPost, h.userToken("reltio-admin"), reltioPath("TestCustomer", "/roles"), `["NEW_ROLE"]`)),
				http.StatusServiceUnavailable, 50301)
		}
		release()
		if pairs := h.grantPairs(); len(pairs) != 0 {
			t.Errorf("the refused request wrote %v", pairs)
		}
		if rec := h.do(post(h.userToken("agent"), grantBody("1000", "1002"))); rec.Code != http.StatusCreated {
			t.Errorf("after the lock is released: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestClientGoneIsNotAnOutage: a client that goes away while its query waits is not a
// database outage: no 503, no error logged, the request logged at INFO as 499 (and counted
// so), and nothing written. A deadline that passes in the query stays a 503.
func TestClientGoneIsNotAnOutage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		var logs bytes.Buffer
		h := newConfiguredHarness(t, dialect, func(cfg *Config) { cfg.Logger = jsonLogger(&logs) })
		release := holdCustomerLocks(t, h)

		// Whenever the client goes away — before the query or while it waits — the outcome
		// is the same, so the test need not know which.
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequest(http.MethodPost, grantPath, strings.NewReader(grantBody("1000", "1002"))).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+h.userToken("agent"))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		served := make(chan struct{})
		go func() {
			defer close(served)
			h.e.ServeHTTP(rec, req)
		}()
		time.AfterFunc(50*time.Millisecond, cancel)
		select {
		case <-served:
		case <-time.After(30 * time.Second):
			t.Fatal("the request did not end when its client went away")
		}
		release()
		if rec.Body.Len() != 0 {
			t.Errorf("an answer was written for a client that went away: %d %s", rec.Code, rec.Body)
		}
		lines := linesWithMessage(logLines(t, &logs), "request")
		if len(lines) != 1 || lines[0]["status"] != float64(statusClientClosedRequest) || lines[0]["level"] != "INFO" {
			t.Errorf("log %v, want one INFO line with status 499", lines)
		}
		if strings.Contains(logs.String(), `"level":"ERROR"`) || strings.Contains(logs.String(), `"status":503`) {
			t.Errorf("the client's going away was logged as a failure: %s", logs.String())
		}
		if metrics := h.do(get("", "/metrics")).Body.String(); !strings.Contains(metrics, `custaccess_http_requests_total{operation="createCustomerGrants",status="499"} 1`) {
			t.Error("the request is not counted with status 499")
		}
		if pairs := h.grantPairs(); len(pairs) != 0 {
			t.Errorf("the abandoned request wrote %v", pairs)
		}
	})
}

// TestBodyTooLargeInEachFamily: the body limit answers 413 in the shape of the API the
// path belongs to, whether the body's length is announced or not (chunked), and bodies of
// unknown length within the limit reach the handlers whole.
func TestBodyTooLargeInEachFamily(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect, reltioFixture, oracleFixture, tokenFixture)
		big := `["` + strings.Repeat("A", 70_000) + `"]`
		tokenRequest := func(body string) request {
			return request{method: http.MethodPost, path: "/oauth/token", body: body, headers: map[string]string{
				"Content-Type":  "application/x-www-form-urlencoded",
				"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync:"+crmSyncSecret)),
			}}
		}
		for _, lengthUnknown := range []bool{false, true} {
			t.Run(fmt.Sprintf("length unknown %v", lengthUnknown), func(t *testing.T) {
				sized := func(r request) request { r.lengthUnknown = lengthUnknown; return r }
				wsError(t, h.do(sized(post(h.userToken("agent"), big))), http.StatusRequestEntityTooLarge, "413-100")
				reltioErr(t, h.do(sized(send(http.MethodPost, h.userToken("reltio-admin"), reltioPath("TestCustomer", "/roles"), big))),
					http.StatusRequestEntityTooLarge, 41301)
				adfErrorOf(t, h.do(sized(adf(http.MethodPost, rolesPath(pat), h.userToken("css-admin"), big))),
					http.StatusRequestEntityTooLarge, "ADF_REST_BODY_TOO_LARGE")
				oauthErr(t, h.do(sized(tokenRequest("grant_type=client_credentials&scope="+strings.Repeat("a", 70_000)))),
					http.StatusRequestEntityTooLarge, "invalid_request")
				// Operations that take no body refuse a large one the same way.
				wsError(t, h.do(sized(request{method: http.MethodGet, path: grantsPath("1000"), token: h.userToken("agent"), body: big})),
					http.StatusRequestEntityTooLarge, "413-100")
				reltioErr(t, h.do(sized(send(http.MethodGet, h.userToken("reltio-admin"), reltioPath("TestCustomer", "/roles"), big))),
					http.StatusRequestEntityTooLarge, 41301)
				adfErrorOf(t, h.do(sized(adf(http.MethodDelete, rolePath(pat, 1), h.userToken("css-admin"), big))),
					http.StatusRequestEntityTooLarge, "ADF_REST_BODY_TOO_LARGE")
			})
		}
		t.Run("length unknown within the limit", func(t *testing.T) {
			chunked := func(r request) request { r.lengthUnknown = true; return r }
			if rec := h.do(chunked(post(h.userToken("agent"), grantBody("1000", "1002")))); rec.Code != http.StatusCreated {
				t.Errorf("eGain create: status %d %s", rec.Code, rec.Body)
			}
			if rec := h.do(chunked(send(http.MethodPost, h.userToken("reltio-admin"), reltioPath("TestCustomer", "/roles"), `["ROLE_CHUNKED"]`))); rec.Code != http.StatusOK {
				t.Errorf("Reltio add roles: status %d %s", rec.Code, rec.Body)
			}
			if rec := h.do(chunked(adf(http.MethodPost, rolesPath(pat), h.userToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`))); rec.Code != http.StatusCreated {
				t.Errorf("Oracle create: status %d %s", rec.Code, rec.Body)
			}
			if rec := h.do(chunked(tokenRequest("grant_type=client_credentials"))); rec.Code != http.StatusOK {
				t.Errorf("token: status %d %s", rec.Code, rec.Body)
			}
		})
		if pairs := h.grantPairs(); !slices.Equal(pairs, []string{"1000>1002"}) {
			t.Errorf("grants %v, want only the one within the limit", pairs)
		}
	})
}

// TestErrorsEchoBoundedValues: what a caller wrote and an error quotes (a header, a
// parameter's name, a path) is cut short in every API's error and in the request's log
// line, however long it was.
func TestErrorsEchoBoundedValues(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		var logs bytes.Buffer
		h := newConfiguredHarness(t, dialect, func(cfg *Config) { cfg.Logger = jsonLogger(&logs) }, reltioFixture, oracleFixture, tokenFixture)
		huge := strings.Repeat("x", 100_000)
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync:"+crmSyncSecret))
		family := map[string]request{
			"eGain":          get(h.userToken("agent"), grantsPath("1000")),
			"Reltio":         get(h.userToken("reltio-admin"), reltioPath("TestCustomer", "/roles")),
			"Oracle":         adf(http.MethodGet, rolesPath(pat), h.userToken("css-admin"), ""),
			"token endpoint": {method: http.MethodPost, path: "/oauth/token", body: "grant_type=client_credentials"},
		}
		for name, base := range family {
			with := func(change func(r *request)) request {
				r := base
				r.headers = map[string]string{}
				for k, v := range base.headers {
					r.headers[k] = v
				}
				if name == "token endpoint" {
					r.headers["Content-Type"], r.headers["Authorization"] = "application/x-www-form-urlencoded", basic
				}
				change(&r)
				return r
			}
			for what, r := range map[string]request{
				"Accept": with(func(r *request) { r.headers["Accept"] = "application/x-" + huge }),
				"Content-Type": with(func(r *request) {
					r.method, r.body = http.MethodPost, "{}"
					r.headers["Content-Type"] = "application/x-" + huge
				}),
				"unknown query parameter": with(func(r *request) { r.path += "?" + huge + "=1" }),
				"unknown path":            with(func(r *request) { r.path += "/" + huge }),
			} {
				logs.Reset()
				rec := h.do(r)
				if rec.Code < 400 || rec.Code >= 500 {
					t.Errorf("%s, huge %s: status %d, want a refusal", name, what, rec.Code)
				}
				if rec.Body.Len() > 4096 {
					t.Errorf("%s, huge %s: an error of %d bytes", name, what, rec.Body.Len())
				}
				for _, line := range strings.Split(logs.String(), "\n") {
					if len(line) > 4096 {
						t.Errorf("%s, huge %s: a log line of %d bytes", name, what, len(line))
					}
				}
			}
		}
	})
}
