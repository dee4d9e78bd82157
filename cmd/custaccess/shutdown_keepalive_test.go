package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store/storetest"
)

// keepAliveOutcome is what one client of TestKeepAliveClientsAcrossShutdown saw.
type keepAliveOutcome struct {
	// answered counts the responses received, succeeded those that were 201.
	answered, succeeded int
	// notAccepted counts the requests the closed listener turned away: dials refused, and new
	// connections the kernel had queued for the listener, reset when it closed.
	notAccepted int
	// lost are the other failures, each with whether the request was written on a reused
	// (keep-alive) connection and whether the listener had closed.
	lost []string
}

// TestKeepAliveClientsAcrossShutdown: clients that keep connections alive and POST in a
// loop across the shutdown lose no request. During the drain every response says
// "Connection: close", so the clients move to new connections; by the time the listener
// closes, no idle keep-alive connection is left for Shutdown to close under a request the
// client is writing. The only failures allowed are new connections turned away once the
// listener has closed (refused, or reset while queued for it): the server never read their
// requests, which a client can safely retry. The server's log confirms it: it handled
// exactly the requests whose answers the clients got.
func TestKeepAliveClientsAcrossShutdown(t *testing.T) {
	const (
		clients = 8
		drain   = time.Second
		// warmUp successes before the signal, so that every client holds a kept-alive connection.
		warmUp = 200
	)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := startServe(t, ctx, append(dbArgs(t, dialect), "--drain-delay", drain.String(), "--rate-limit", "0")...)

			var total atomic.Int64
			var stop atomic.Bool
			listenerClosed := func() bool { return strings.Contains(s.stderr.String(), "accepting no more connections") }
			outcomes := make([]keepAliveOutcome, clients)
			var wg sync.WaitGroup
			for i := range clients {
				wg.Go(func() {
					// A transport of its own per client: one kept-alive connection each.
					transport := &http.Transport{MaxIdleConnsPerHost: 1}
					defer transport.CloseIdleConnections()
					client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
					out := &outcomes[i]
					// Half the clients send no token: answered with 401 without the database,
					// their connections turn over fast, as a busy instance's do.
					token, want := s.token, http.StatusCreated
					if i%2 == 1 {
						token, want = "", http.StatusUnauthorized
					}
					for !stop.Load() {
						var reused bool
						trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
						req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
							http.MethodPost, s.base+"/core/customermgr/v3/customer/grant", strings.NewReader(demoGrant))
						if err != nil {
							t.Error(err)
							return
						}
						if token != "" {
							req.Header.Set("Authorization", "Bearer "+token)
						}
						req.Header.Set("Content-Type", "application/json")
						resp, err := client.Do(req)
						switch {
						case err != nil && (errors.Is(err, syscall.ECONNREFUSED) || !reused && listenerClosed()):
							out.notAccepted++
							time.Sleep(10 * time.Millisecond)
						case err != nil:
							out.lost = append(out.lost, describeLoss(err, reused, listenerClosed()))
						default:
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							out.answered++
							if resp.StatusCode == want {
								out.succeeded++
								total.Add(1)
							} else {
								out.lost = append(out.lost, describeLoss(errors.New(resp.Status), reused, listenerClosed()))
							}
						}
					}
				})
			}
			for deadline := time.Now().Add(60 * time.Second); total.Load() < warmUp; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					stop.Store(true)
					wg.Wait()
					t.Fatalf("only %d requests succeeded in 60s before the shutdown", total.Load())
				}
			}
			beforeSignal := total.Load()
			cancel()
			select {
			case err := <-s.done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(60 * time.Second):
				t.Error("serve did not return")
			}
			// A little longer, so that every client meets the closed listener.
			time.Sleep(200 * time.Millisecond)
			stop.Store(true)
			wg.Wait()

			var answered, succeeded, notAccepted, lost int
			for i, out := range outcomes {
				answered += out.answered
				succeeded += out.succeeded
				notAccepted += out.notAccepted
				lost += len(out.lost)
				for _, loss := range out.lost {
					t.Errorf("client %d lost a request: %s", i, loss)
				}
			}
			t.Logf("%d requests succeeded (%d after the signal), %d new connections turned away after the listener closed, %d lost",
				succeeded, int64(succeeded)-beforeSignal, notAccepted, lost)
			if handled := strings.Count(s.stderr.String(), `"operation":"createCustomerGrants"`); handled != answered {
				t.Errorf("the server handled %d requests, the clients got %d answers: a request counted as not accepted was read", handled, answered)
			}
			if int64(succeeded) == beforeSignal {
				t.Error("no request succeeded during the drain: the test did not run across the shutdown")
			}
		})
	}
}

func describeLoss(err error, reused, listenerClosed bool) string {
	connection := "a new connection"
	if reused {
		connection = "a kept-alive connection"
	}
	when := "before the listener closed"
	if listenerClosed {
		when = "after the listener closed"
	}
	return err.Error() + " on " + connection + ", " + when
}
