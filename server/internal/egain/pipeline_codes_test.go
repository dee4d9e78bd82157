package egain_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestPipelineCodesOnEgainPaths produces, through the stack on eGain's paths, the codes of
// the catalogue that the shared pipeline writes for failures outside eGain's own rules: a
// principal past its rate limit, a database that fails, a request past its deadline.
//
// It exists for TestMain's coverage check: this package's test binary sees only eGain's
// tests, and the tests that produce these codes among others (the rate limit, system
// errors and outages of every API) live with the pipeline's tests, in another binary.
func TestPipelineCodesOnEgainPaths(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		code   string
		// setup builds a harness of its own, on which request fails.
		setup func(t *testing.T, dialect store.Dialect) *servertest.Harness
		// request is sent in JSON and in XML, and must get status and code.
		request func(h *servertest.Harness) servertest.Request
	}{
		{name: "rate limited", status: http.StatusTooManyRequests, code: "429-100",
			setup: func(t *testing.T, dialect store.Dialect) *servertest.Harness {
				// One request per 1000 s: the bucket does not refill while the test runs.
				h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) {
					cfg.RateLimit = server.RateLimit{PerSecond: 0.001, Burst: 1}
				})
				if rec := h.Do(servertest.Get(h.UserToken("agent"), servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
					t.Fatalf("request within the burst: %d %s", rec.Code, rec.Body)
				}
				return h
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "database failure", status: http.StatusInternalServerError, code: "500-100",
			setup: func(t *testing.T, dialect store.Dialect) *servertest.Harness {
				h := servertest.New(t, dialect)
				if err := h.Store.Close(); err != nil {
					t.Fatal(err)
				}
				return h
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.UserToken("agent"), servertest.GrantsPath("1000"))
			}},
		{name: "request deadline", status: http.StatusServiceUnavailable, code: "503-100",
			setup: func(t *testing.T, dialect store.Dialect) *servertest.Harness {
				h := servertest.NewConfigured(t, dialect, func(cfg *server.Config) { cfg.RequestTimeout = 300 * time.Millisecond })
				// Every write waits for this lock, past the request's deadline.
				storetest.BlockWrites(t, h.Database)
				return h
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := tc.setup(t, dialect)
				for _, mediaType := range []string{jsonType, xmlType} {
					r := tc.request(h)
					r.Headers = map[string]string{"Accept": mediaType, "X-egain-error-message": "yes"}
					rec := h.Do(r)
					servertest.WSError(t, rec, tc.status, tc.code)
					if ct := rec.Header().Get("Content-Type"); ct != mediaType {
						t.Errorf("%s in %s, want %s", tc.code, ct, mediaType)
					}
				}
			})
		})
	}
}
