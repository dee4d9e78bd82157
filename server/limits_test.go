package server_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// TestRateLimitPerPrincipal: past its burst a principal gets 429 with Retry-After in the
// vendor's shape; other principals are not affected.
func TestRateLimitPerPrincipal(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		// One request per 1000 s: the bucket does not refill while the test runs.
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
			cfg.RateLimit = server.RateLimit{PerSecond: 0.001, Burst: 2}
		}, servertest.ReltioFixture, servertest.OracleFixture)
		agent := h.UserToken("agent")
		for i := range 2 {
			if rec := h.Do(servertest.Get(agent, servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
				t.Fatalf("request %d within the burst: %d %s", i, rec.Code, rec.Body)
			}
		}
		rec := h.Do(servertest.Get(agent, servertest.GrantsPath("1000")))
		servertest.WSError(t, rec, http.StatusTooManyRequests, "429-100")
		if retry, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || retry < 1 || retry > 1000 {
			t.Errorf("Retry-After %q, want whole seconds up to 1000", rec.Header().Get("Retry-After"))
		}
		// A refused request takes nothing: still refused, not pushed further back.
		servertest.WSError(t, h.Do(servertest.Post(agent, servertest.GrantBody("1000", "1002"))), http.StatusTooManyRequests, "429-100")

		// Another principal, and the same login as a client, have buckets of their own.
		if rec := h.Do(servertest.Get(h.UserToken("viewer"), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
			t.Errorf("another user: %d", rec.Code)
		}
		admin := h.UserToken("reltio-admin")
		for range 2 {
			if rec := h.Do(servertest.Get(admin, servertest.ReltioPath("TestCustomer", "/roles"))); rec.Code != http.StatusOK {
				t.Fatalf("Reltio within the burst: %d %s", rec.Code, rec.Body)
			}
		}
		rec = h.Do(servertest.Get(admin, servertest.ReltioPath("TestCustomer", "/roles")))
		servertest.ReltioErr(t, rec, http.StatusTooManyRequests, 42901)
		if rec.Header().Get("Retry-After") == "" {
			t.Error("Reltio 429 without Retry-After")
		}
		cssAdmin := h.UserToken("css-admin")
		for range 2 {
			if rec := h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), cssAdmin, "")); rec.Code != http.StatusOK {
				t.Fatalf("Oracle within the burst: %d %s", rec.Code, rec.Body)
			}
		}
		rec = h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), cssAdmin, ""))
		servertest.ADFErrorOf(t, rec, http.StatusTooManyRequests, "ADF_REST_TOO_MANY_REQUESTS")
		if rec.Header().Get("Retry-After") == "" {
			t.Error("Oracle 429 without Retry-After")
		}
		// Operational endpoints are never limited.
		for range 3 {
			if rec := h.Do(servertest.Get("", "/healthz")); rec.Code != http.StatusOK {
				t.Errorf("/healthz: %d", rec.Code)
			}
		}
	})
}

// TestRequestDeadline: a query that cannot finish in time (the rows it needs are locked by
// another transaction) is cut at the request's deadline and answered with 503 in the
// vendor's shape; the request writes nothing.
func TestRequestDeadline(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		const timeout = 300 * time.Millisecond
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.RequestTimeout = timeout }, servertest.ReltioFixture)
		release := h.HoldCustomerLocks(t)

		start := time.Now()
		servertest.WSError(t, h.Do(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))), http.StatusServiceUnavailable, "503-100")
		if elapsed := time.Since(start); elapsed > timeout+5*time.Second {
			t.Errorf("answered after %v, deadline %v", elapsed, timeout)
		}
		if dialect == store.SQLite {
			// SQLite's single writer lock blocks every write, Reltio's too.
			servertest.ReltioErr(t, h.Do(servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath("TestCustomer", "/roles"), `["NEW_ROLE"]`)),
				http.StatusServiceUnavailable, 50301)
		}
		release()
		if pairs := h.GrantPairs(); len(pairs) != 0 {
			t.Errorf("the refused request wrote %v", pairs)
		}
		if rec := h.Do(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))); rec.Code != http.StatusCreated {
			t.Errorf("after the lock is released: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestBodyTooLargeInEachFamily: the body limit answers 413 in the shape of the API the
// path belongs to, whether the body's length is announced or not (chunked), and bodies of
// unknown length within the limit reach the handlers whole.
func TestBodyTooLargeInEachFamily(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.OracleFixture, servertest.TokenFixture)
		big := `["` + strings.Repeat("A", 70_000) + `"]`
		tokenRequest := func(body string) servertest.Request {
			return servertest.Request{Method: http.MethodPost, Path: "/oauth/token", Body: body, Headers: map[string]string{
				"Content-Type":  "application/x-www-form-urlencoded",
				"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync:"+servertest.CRMSyncSecret)),
			}}
		}
		for _, lengthUnknown := range []bool{false, true} {
			t.Run(fmt.Sprintf("length unknown %v", lengthUnknown), func(t *testing.T) {
				sized := func(r servertest.Request) servertest.Request { r.LengthUnknown = lengthUnknown; return r }
				servertest.WSError(t, h.Do(sized(servertest.Post(h.UserToken("agent"), big))), http.StatusRequestEntityTooLarge, "413-100")
				servertest.ReltioErr(t, h.Do(sized(servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath("TestCustomer", "/roles"), big))),
					http.StatusRequestEntityTooLarge, 41301)
				servertest.ADFErrorOf(t, h.Do(sized(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), big))),
					http.StatusRequestEntityTooLarge, "ADF_REST_BODY_TOO_LARGE")
				servertest.OAuthErr(t, h.Do(sized(tokenRequest("grant_type=client_credentials&scope="+strings.Repeat("a", 70_000)))),
					http.StatusRequestEntityTooLarge, "invalid_request")
				// Operations that take no body refuse a large one the same way.
				servertest.WSError(t, h.Do(sized(servertest.Request{Method: http.MethodGet, Path: servertest.GrantsPath("1000"), Token: h.UserToken("agent"), Body: big})),
					http.StatusRequestEntityTooLarge, "413-100")
				servertest.ReltioErr(t, h.Do(sized(servertest.Send(http.MethodGet, h.UserToken("reltio-admin"), servertest.ReltioPath("TestCustomer", "/roles"), big))),
					http.StatusRequestEntityTooLarge, 41301)
				servertest.ADFErrorOf(t, h.Do(sized(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Pat, 1), h.UserToken("css-admin"), big))),
					http.StatusRequestEntityTooLarge, "ADF_REST_BODY_TOO_LARGE")
			})
		}
		t.Run("length unknown within the limit", func(t *testing.T) {
			chunked := func(r servertest.Request) servertest.Request { r.LengthUnknown = true; return r }
			if rec := h.Do(chunked(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002")))); rec.Code != http.StatusCreated {
				t.Errorf("eGain create: status %d %s", rec.Code, rec.Body)
			}
			if rec := h.Do(chunked(servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath("TestCustomer", "/roles"), `["ROLE_CHUNKED"]`))); rec.Code != http.StatusOK {
				t.Errorf("Reltio add roles: status %d %s", rec.Code, rec.Body)
			}
			if rec := h.Do(chunked(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`))); rec.Code != http.StatusCreated {
				t.Errorf("Oracle create: status %d %s", rec.Code, rec.Body)
			}
			if rec := h.Do(chunked(tokenRequest("grant_type=client_credentials"))); rec.Code != http.StatusOK {
				t.Errorf("token: status %d %s", rec.Code, rec.Body)
			}
		})
		if pairs := h.GrantPairs(); !slices.Equal(pairs, []string{"1000>1002"}) {
			t.Errorf("grants %v, want only the one within the limit", pairs)
		}
	})
}

// TestErrorsEchoBoundedValues: what a caller wrote and an error quotes (a header, a
// parameter's name, a path) is cut short in every API's error and in the request's log
// line, however long it was.
func TestErrorsEchoBoundedValues(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		var logs bytes.Buffer
		h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.Logger = servertest.JSONLogger(&logs) }, servertest.ReltioFixture, servertest.OracleFixture, servertest.TokenFixture)
		huge := strings.Repeat("x", 100_000)
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync:"+servertest.CRMSyncSecret))
		family := map[string]servertest.Request{
			"eGain":          servertest.Get(h.UserToken("agent"), servertest.GrantsPath("1000")),
			"Reltio":         servertest.Get(h.UserToken("reltio-admin"), servertest.ReltioPath("TestCustomer", "/roles")),
			"Oracle":         servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), ""),
			"token endpoint": {Method: http.MethodPost, Path: "/oauth/token", Body: "grant_type=client_credentials"},
		}
		for name, base := range family {
			with := func(change func(r *servertest.Request)) servertest.Request {
				r := base
				r.Headers = map[string]string{}
				for k, v := range base.Headers {
					r.Headers[k] = v
				}
				if name == "token endpoint" {
					r.Headers["Content-Type"], r.Headers["Authorization"] = "application/x-www-form-urlencoded", basic
				}
				change(&r)
				return r
			}
			for what, r := range map[string]servertest.Request{
				"Accept": with(func(r *servertest.Request) { r.Headers["Accept"] = "application/x-" + huge }),
				"Content-Type": with(func(r *servertest.Request) {
					r.Method, r.Body = http.MethodPost, "{}"
					r.Headers["Content-Type"] = "application/x-" + huge
				}),
				"unknown query parameter": with(func(r *servertest.Request) { r.Path += "?" + huge + "=1" }),
				"unknown path":            with(func(r *servertest.Request) { r.Path += "/" + huge }),
			} {
				logs.Reset()
				rec := h.Do(r)
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
