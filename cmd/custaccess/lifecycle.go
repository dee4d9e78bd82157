package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/custaccess/custaccess/store"
)

// withShutdownSignals is cancelled by SIGTERM (what orchestrators send) or SIGINT. The
// first signal only cancels it: from then on the signals' default action is back, so a
// second one ends the process at once, whatever the shutdown is waiting for. The default
// action is back before the returned context is done: a second signal sent as soon as the
// drain has begun (its log line) is never caught and lost.
func withShutdownSignals(parent context.Context) (context.Context, context.CancelFunc) {
	signalled, stopCatching := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(parent)
	stop := func() {
		stopCatching()
		cancel()
	}
	context.AfterFunc(signalled, stop)
	return ctx, stop
}

// serveUntilDone serves until ctx is cancelled, then shuts down gracefully. First it drains:
// for drainDelay it still serves (new connections included) while /readyz answers 503, so
// that load balancers stop sending before the listener closes, and every response closes
// its connection (closeConnectionsOnceDone), so that clients holding keep-alive
// connections move to new ones before then. Then the listener closes,
// requests in flight get up to shutdownTimeout to finish, and whatever is still open then
// is cut off and reported as an error.
func serveUntilDone(ctx context.Context, httpServer *http.Server, listener net.Listener, drainDelay, shutdownTimeout time.Duration, logger *slog.Logger) error {
	httpServer.Handler = closeConnectionsOnceDone(ctx, httpServer.Handler)
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(listener) }()
	logger.Info("listening", "addr", listener.Addr().String())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	if drainDelay > 0 {
		logger.Info("shutting down: draining, /readyz answers 503 (a second signal ends the process at once)", "drain_delay", drainDelay.String())
		select {
		case err := <-served:
			return err
		case <-time.After(drainDelay):
		}
	}
	logger.Info("shutting down: accepting no more connections, finishing requests in flight", "timeout", shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		_ = httpServer.Close()
		return fmt.Errorf("shutdown: requests still in flight after %s were cut off: %w", shutdownTimeout, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("every request in flight finished")
	return nil
}

// closeConnectionsOnceDone answers with "Connection: close" once ctx is done, so that net/http
// closes each connection after its response and the client opens a new one for its next
// request. Shutdown closes idle keep-alive connections, and a client may be writing a
// request on one at that very moment: that request is lost (a POST is not retried). A
// client that keeps sending during the drain is on a fresh connection by then.
// http.Server.SetKeepAlivesEnabled(false) would also close the idle connections at once,
// which only moves that race to the start of the drain.
func closeConnectionsOnceDone(ctx context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctx.Err() != nil {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// closeStore releases the connection pool when serve ends.
func closeStore(db *store.Store, logger *slog.Logger) {
	if err := db.Close(); err != nil {
		logger.Error("closing the database pool failed", "error", err.Error())
		return
	}
	logger.Info("database pool closed")
}
