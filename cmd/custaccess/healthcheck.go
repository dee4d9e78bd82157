package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running service's /healthz and fails unless it answers 200: the
// container image has no curl, so its health check runs the binary itself.
func healthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	flags, cfg := newBareFlags("healthcheck", stderr)
	var addr string
	cfg.stringVar(&addr, "addr", "CUSTACCESS_ADDR", ":8080", "address the service listens on")
	path := flags.String("path", "/healthz", "path to ask: /healthz (alive) or /readyz (ready)")
	timeout := flags.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := cfg.parse(args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+*path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("unhealthy: " + resp.Status)
	}
	return nil
}
