package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestPprofOnItsOwnListener: with --pprof-addr, serve answers the profiles' index on that
// address and not on the API's; without it, the API's address has no /debug/pprof either.
func TestPprofOnItsOwnListener(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pprofAddr := free.Addr().String()
	free.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startServe(t, ctx, "--data-dir", t.TempDir(), "--database-url", "", "--pprof-addr", pprofAddr)
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/")
	if err != nil {
		t.Fatalf("pprof listener: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Errorf("pprof index: status %d, body %.200q", resp.StatusCode, body)
	}
	if status, _ := s.get(t, "/debug/pprof/", ""); status == http.StatusOK {
		t.Errorf("the API's listener serves /debug/pprof/ (status %d)", status)
	}
	cancel()
	if err := <-s.done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := http.Get("http://" + pprofAddr + "/debug/pprof/"); err == nil {
		t.Error("the pprof listener still answers after serve ended")
	}
}
