package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// runningServe is `serve --demo` running in this process, as main runs it.
type runningServe struct {
	base, token    string
	stdout, stderr syncBuffer
	done           chan error
}

// startServe runs serve with args (without a drain delay unless they set one) and waits
// for its demo instructions.
func startServe(t *testing.T, ctx context.Context, args ...string) *runningServe {
	t.Helper()
	s := &runningServe{done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, args...), &s.stdout, &s.stderr)
	}()
	instructions := regexp.MustCompile(`(?s)listening on (http://\S+).*export TOKEN=(\S+)`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if match := instructions.FindStringSubmatch(s.stdout.String()); match != nil {
			s.base, s.token = match[1], match[2]
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no instructions; stdout %q stderr %q", s.stdout.String(), s.stderr.String())
		}
	}
}

// slowRequest is a grant request whose body arrives in two parts, so that it is in flight
// for as long as the test wants.
type slowRequest struct {
	body   *io.PipeWriter
	result chan error
}

const demoGrant = `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002"},{"id":"1020"}]}}`

func (s *runningServe) startSlowRequest(t *testing.T) *slowRequest {
	t.Helper()
	reader, writer := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, s.base+"/core/customermgr/v3/customer/grant", reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	slow := &slowRequest{body: writer, result: make(chan error, 1)}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			slow.result <- err
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		slow.result <- err
	}()
	if _, err := io.WriteString(writer, demoGrant[:20]); err != nil {
		t.Fatal(err)
	}
	return slow
}

func (slow *slowRequest) finish() error {
	if _, err := io.WriteString(slow.body, demoGrant[20:]); err != nil {
		return err
	}
	_ = slow.body.Close()
	return <-slow.result
}

// get sends a GET, with the token when one is given, and returns the status and body; a
// failure to connect is status 0.
func (s *runningServe) get(t *testing.T, path, token string) (int, string) {
	return s.getWith(t, http.DefaultClient, path, token)
}

func (s *runningServe) getWith(t *testing.T, client *http.Client, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitInFlight polls /metrics until n requests (besides the scrape) are being served.
func (s *runningServe) waitInFlight(t *testing.T, n int) {
	t.Helper()
	want := fmt.Sprintf("custaccess_http_requests_in_flight %d\n", n+1)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(s.base + "/metrics")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %d requests in flight", n)
		}
	}
}

// waitRefused waits until the listener is closed: new connections are refused.
func (s *runningServe) waitRefused(t *testing.T, within time.Duration) {
	t.Helper()
	u, _ := url.Parse(s.base)
	for deadline := time.Now().Add(within); ; time.Sleep(10 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", u.Host, time.Second)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if conn != nil {
			conn.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepting connections after the signal: %v", err)
		}
	}
}

// TestGracefulShutdownOnSIGTERM sends this process a real SIGTERM, caught as main catches
// it, while requests are in flight: first /readyz turns red while new requests are still
// served (the drain), then the listener closes, every request in flight completes, and
// serve returns after closing the database pool.
func TestGracefulShutdownOnSIGTERM(t *testing.T) {
	const drain = 6 * time.Second
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx, stop := withShutdownSignals(context.Background())
			defer stop()
			s := startServe(t, ctx, append(dbArgs(t, dialect), "--shutdown-timeout", "20s", "--drain-delay", drain.String())...)
			var slow []*slowRequest
			for range 3 {
				slow = append(slow, s.startSlowRequest(t))
			}
			s.waitInFlight(t, len(slow))
			if status, _ := s.get(t, "/readyz", ""); status != http.StatusOK {
				t.Fatalf("/readyz before the signal: %d", status)
			}

			start := time.Now()
			if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(drain); ; time.Sleep(10 * time.Millisecond) {
				status, body := s.get(t, "/readyz", "")
				if status == http.StatusServiceUnavailable && strings.Contains(body, "shutting down") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("/readyz during the drain: %d %s", status, body)
				}
			}
			// Draining: a new connection is still served.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			if status, _ := s.getWith(t, client, "/core/customermgr/v3/customer/1000/grants", s.token); status != http.StatusOK && status != http.StatusNoContent {
				t.Errorf("a request on a new connection during the drain: %d", status)
			}
			s.waitRefused(t, drain+10*time.Second)
			if elapsed := time.Since(start); elapsed < drain {
				t.Errorf("the listener closed %v after the signal, before the drain delay of %v", elapsed, drain)
			}
			for i, request := range slow {
				if err := request.finish(); err != nil {
					t.Errorf("request %d in flight during the shutdown failed: %v", i, err)
				}
			}
			select {
			case err := <-s.done:
				if err != nil {
					t.Fatalf("serve: %v; stderr %s", err, s.stderr.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not return after its requests finished")
			}
			t.Logf("shutdown took %v", time.Since(start))
			logs := s.stderr.String()
			for _, line := range []string{"draining", "accepting no more connections", "every request in flight finished", "database pool closed"} {
				if !strings.Contains(logs, line) {
					t.Errorf("no %q in the log", line)
				}
			}
			if n := strings.Count(logs, `"operation":"createCustomerGrants"`); n != len(slow) {
				t.Errorf("%d create requests logged, want %d", n, len(slow))
			}
		})
	}
}

// TestShutdownIsBounded: a request that never ends is cut off after the shutdown timeout,
// and serve says so.
func TestShutdownIsBounded(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := startServe(t, ctx, append(dbArgs(t, dialect), "--shutdown-timeout", "300ms", "--request-timeout", "200ms")...)
			stuck := s.startSlowRequest(t)
			s.waitInFlight(t, 1)
			start := time.Now()
			cancel()
			select {
			case err := <-s.done:
				if err == nil || !strings.Contains(err.Error(), "cut off") {
					t.Errorf("serve: %v, want the cut-off reported", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("serve waited past its shutdown timeout")
			}
			t.Logf("shutdown with a stuck request took %v", time.Since(start))
			if err := stuck.finish(); err == nil {
				t.Error("the stuck request succeeded after being cut off")
			}
			if !strings.Contains(s.stderr.String(), "database pool closed") {
				t.Error("the pool was not closed")
			}
		})
	}
}

// TestStartupWaitsForTheDatabase: a command started before PostgreSQL retries, logging
// each attempt, and goes on once the database answers; without a database it gives up
// after --db-wait with a clear error.
func TestStartupWaitsForTheDatabase(t *testing.T) {
	cluster := storetest.NewCluster(t)
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"migrate", "--database-url", cluster.URL(), "--db-wait", "60s"}, io.Discard, &stderr)
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), "waiting for the database"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no waiting line: %s", stderr.String())
		}
	}
	cluster.Start()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("migrate: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("migrate did not go on once the database answered")
	}
	if logs := stderr.String(); !strings.Contains(logs, "database reachable") || !strings.Contains(logs, `"attempt":1`) {
		t.Errorf("log: %s", logs)
	}

	cluster.Stop()
	start := time.Now()
	_, logs, err := runCommand(t, "migrate", "--database-url", cluster.URL(), "--db-wait", "1s")
	if err == nil || !strings.Contains(err.Error(), "database not reachable after") {
		t.Errorf("without a database: %v, want it to give up", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("gave up after %v, --db-wait 1s", elapsed)
	}
	if !strings.Contains(logs, "waiting for the database") {
		t.Errorf("no waiting line: %s", logs)
	}
}

// TestStartupWithAHungDatabase: a database that accepts connections but never answers (its
// server paused) costs start-up bounded attempts, not a hang: the wait ends at --db-wait,
// and a shutdown signal ends it at once.
func TestStartupWithAHungDatabase(t *testing.T) {
	cluster := storetest.StartCluster(t)
	cluster.Pause()
	defer cluster.Resume()
	migrate := func(ctx context.Context, wait string) (chan error, *syncBuffer) {
		var stderr syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"migrate", "--database-url", cluster.URL(), "--db-wait", wait}, io.Discard, &stderr)
		}()
		return done, &stderr
	}

	start := time.Now()
	done, stderr := migrate(context.Background(), "2s")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "database not reachable after") {
			t.Errorf("with the database hanging: %v, want it to give up", err)
		}
		if elapsed := time.Since(start); elapsed > 15*time.Second {
			t.Errorf("gave up after %v, --db-wait 2s", elapsed)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("start-up still waiting 30s into a --db-wait of 2s; log: %s", stderr.String())
	}

	ctx, stop := withShutdownSignals(context.Background())
	defer stop()
	done, stderr = migrate(ctx, "10m")
	// Whether the signal comes before the first attempt or during it, the wait must end.
	time.Sleep(500 * time.Millisecond)
	start = time.Now()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("after SIGTERM: %v, want the wait interrupted", err)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("SIGTERM ended the wait after %v", elapsed)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("start-up still waiting 30s after SIGTERM; log: %s", stderr.String())
	}
}

func TestConfigurationErrors(t *testing.T) {
	dataDir := t.TempDir()
	for _, tc := range []struct {
		env     map[string]string
		args    []string
		wantErr string
	}{
		{map[string]string{"CUSTACCESS_REQUEST_TIMEOUT": "soon"}, nil, "CUSTACCESS_REQUEST_TIMEOUT"},
		{map[string]string{"CUSTACCESS_RATE_BURST": "many"}, nil, "CUSTACCESS_RATE_BURST"},
		{nil, []string{"--request-timeout", "30s", "--write-timeout", "30s"}, "must be shorter than the write timeout"},
		{map[string]string{"CUSTACCESS_REQUEST_TIMEOUT": "40s"}, nil, "must be shorter than the write timeout"},
		{nil, []string{"--shutdown-timeout", "0s"}, "shutdown timeout must be positive"},
		{nil, []string{"--shutdown-timeout", "5s"}, "must be at least the request timeout"},
		{map[string]string{"CUSTACCESS_DRAIN_DELAY": "-1s"}, nil, "drain delay"},
		{map[string]string{"CUSTACCESS_MIGRATE_TIMEOUT": "0s"}, nil, "migrate timeout must be positive"},
		{nil, []string{"--rate-limit", "-1"}, "rate limit"},
		{nil, []string{"--token-rate-burst", "0"}, "token endpoint's rate limit"},
		{map[string]string{"CUSTACCESS_TRUSTED_PROXIES": "10.0.0.0/8, lb.internal"}, nil, `trusted proxy "lb.internal"`},
		{map[string]string{"CUSTACCESS_PUBLIC_URL": "https://api.example.com/custaccess"}, nil, `public URL "https://api.example.com/custaccess"`},
		{nil, []string{"--public-url", "api.example.com"}, `public URL "api.example.com"`},
		{nil, []string{"--log-format", "xml"}, "log format"},
		{map[string]string{"CUSTACCESS_LOG_LEVEL": "loud"}, nil, "log level"},
		{nil, []string{"--jwks-url", "http://127.0.0.1:1/jwks"}, "issuer and audience are all required"},
		{nil, []string{"--pprof-addr", ":6060"}, "only on a loopback address"},
		{nil, []string{"--pprof-addr", "0.0.0.0:6060"}, "only on a loopback address"},
		{map[string]string{"CUSTACCESS_PPROF_ADDR": "[::]:6060"}, nil, "only on a loopback address"},
		{nil, []string{"--pprof-addr", "192.0.2.1:6060"}, "only on a loopback address"},
		{nil, []string{"--pprof-addr", "127.0.0.1"}, `pprof address "127.0.0.1"`},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		err := run(context.Background(), append([]string{"serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0"}, tc.args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("env %v args %v: %v, want %q", tc.env, tc.args, err, tc.wantErr)
		}
		for k := range tc.env {
			t.Setenv(k, "")
		}
	}
	// A flag beats its environment variable.
	t.Setenv("CUSTACCESS_REQUEST_TIMEOUT", "40s")
	_, cfg := newFlags("serve", io.Discard)
	settings := registerServeFlags(cfg)
	if err := cfg.parse([]string{"--request-timeout", "5s"}); err != nil || settings.requestTimeout != 5*time.Second {
		t.Errorf("request timeout %v, %v: the flag must win", settings.requestTimeout, err)
	}
}

func TestTextLogs(t *testing.T) {
	db := dbArgs(t, store.SQLite)
	_, stderr, err := runCommand(t, append([]string{"migrate", "--log-format", "text"}, db...)...)
	if err != nil || !strings.Contains(stderr, "level=INFO msg=\"migrations applied\"") {
		t.Errorf("text log %q, %v", stderr, err)
	}
	t.Setenv("CUSTACCESS_LOG_FORMAT", "text")
	if _, stderr, _ = runCommand(t, append([]string{"migrate"}, db...)...); !strings.HasPrefix(stderr, "time=") {
		t.Errorf("CUSTACCESS_LOG_FORMAT=text gave %q", stderr)
	}
}

// TestDemoTokenEndpoint follows the README: the demo client obtains a token at
// POST /oauth/token with HTTP Basic, and the token reads grants.
func TestDemoTokenEndpoint(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := startServe(t, ctx, dbArgs(t, dialect)...)
			req, _ := http.NewRequest(http.MethodPost, s.base+"/oauth/token", strings.NewReader("grant_type=client_credentials&scope=app.core.customermgr.read"))
			req.SetBasicAuth("crm-sync", "crm-sync-demo-secret")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var token struct {
				AccessToken string `json:"access_token"`
			}
			err = json.NewDecoder(resp.Body).Decode(&token)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || token.AccessToken == "" {
				t.Fatalf("token endpoint: %d, %v", resp.StatusCode, err)
			}
			req, _ = http.NewRequest(http.MethodGet, s.base+"/core/customermgr/v3/customer/1000/grants", nil)
			req.Header.Set("Authorization", "Bearer "+token.AccessToken)
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
				t.Errorf("grants with the issued token: %d", resp.StatusCode)
			}
			cancel()
			if err := <-s.done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// serveSubprocessEnv, when set, makes the test binary run serve with the arguments it
// holds (separated by spaces), with main's signal handling, instead of the tests.
const serveSubprocessEnv = "CUSTACCESS_TEST_SERVE_ARGS"

// serveIfSubprocess is TestMain's first step: in a subprocess started by a test, it runs
// serve as main would and exits.
func serveIfSubprocess() {
	args := os.Getenv(serveSubprocessEnv)
	if args == "" {
		return
	}
	ctx, stop := withShutdownSignals(context.Background())
	err := run(ctx, strings.Fields(args), os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(0)
}

// TestSecondSignalEndsTheProcess: during a long drain, a second SIGTERM ends serve at once,
// as an operator pressing Ctrl-C twice expects. serve runs in a process of its own, which
// the signal kills.
func TestSecondSignalEndsTheProcess(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveSubprocessEnv+"=serve --addr 127.0.0.1:0 --data-dir "+t.TempDir()+" --database-url= --drain-delay 10m")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	exited := make(chan struct{})
	go func() {
		exitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		_ = cmd.Process.Kill() // when the test failed with serve still running
		<-exited
	}()
	waitForLog := func(text string) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !strings.Contains(stderr.String(), text); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("serve did not log %q: %s", text, stderr.String())
			}
		}
	}
	waitForLog(`"msg":"listening"`)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog("draining")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		var exit *exec.ExitError
		if !errors.As(exitErr, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("serve ended with %v, want killed by the second SIGTERM", exitErr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve still draining 20s after a second SIGTERM: %s", stderr.String())
	}
}
