package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
)

// The bounds of TestHTTPServerTimeouts: each timeout under test is short, and the others keep
// their defaults (30 s and more), far past connectionEnd's patience, so that only the
// timeout under test can end the connection in time. Loose bounds both ways: the server's
// clock starts before the client's (at accept, or at the request's first byte), and a
// loaded machine may stall either; the lower bound only tells the timeout from a
// connection ended at once for another reason.
const (
	timeoutUnderTest = 300 * time.Millisecond
	lateBound        = 5 * time.Second
	// patience is how long connectionEnd waits for the server to end the connection.
	patience = 10 * time.Second
)

// TestHTTPServerTimeouts runs serve with one of its HTTP timeouts short at a time and shows
// that it ends the connection that timeout is about. They concern connections, not the
// database: SQLite only.
func TestHTTPServerTimeouts(t *testing.T) {
	t.Run("read header timeout: half a header line", func(t *testing.T) {
		s := startTimeoutServe(t, "--read-header-timeout", timeoutUnderTest.String())
		conn := s.dial(t)
		write(t, conn, "GET /healthz HTTP/1.1\r\nHost: cust")
		received, elapsed := connectionEnd(t, conn)
		checkEndedBy(t, "a connection sending half a header line", elapsed, timeoutUnderTest)
		// net/http may answer 408 or nothing: either way no request was served.
		if strings.Contains(received, "200 OK") {
			t.Errorf("the request was served: %q", received)
		}
	})

	t.Run("idle timeout: a kept-alive connection without a next request", func(t *testing.T) {
		s := startTimeoutServe(t, "--idle-timeout", timeoutUnderTest.String())
		conn := s.dial(t)
		write(t, conn, "GET /healthz HTTP/1.1\r\nHost: custaccess\r\n\r\n")
		reader := bufio.NewReader(conn)
		resp, err := http.ReadResponse(reader, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("/healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
		}
		received, elapsed := connectionEnd(t, reader)
		checkEndedBy(t, "an idle kept-alive connection", elapsed, timeoutUnderTest)
		if received != "" {
			t.Errorf("the server sent %q on the idle connection", received)
		}
	})

	t.Run("read timeout: a body that stops coming", func(t *testing.T) {
		s := startTimeoutServe(t, "--read-timeout", timeoutUnderTest.String())
		conn := s.dial(t)
		// The headers complete, the body stops half-way.
		write(t, conn, s.grantRequestHead()+demoGrant[:20])
		_, elapsed := connectionEnd(t, conn)
		checkEndedBy(t, "a request whose body stops half-way", elapsed, timeoutUnderTest)
	})

	t.Run("write timeout: a response due after it is never sent", func(t *testing.T) {
		// The request deadline must be shorter than the write timeout (serve checks it); the
		// body, which that deadline does not bound, arrives after both.
		const writeTimeout = time.Second
		s := startTimeoutServe(t, "--write-timeout", writeTimeout.String(), "--request-timeout", "500ms")
		conn := s.dial(t)
		write(t, conn, s.grantRequestHead()+demoGrant[:20])
		time.Sleep(writeTimeout + 500*time.Millisecond)
		write(t, conn, demoGrant[20:])
		received, elapsed := connectionEnd(t, conn)
		if received != "" {
			t.Errorf("a response was sent after the write timeout: %q", received)
		}
		if elapsed > lateBound {
			t.Errorf("the connection ended %v after the body, want at once", elapsed)
		}
	})
}

// startTimeoutServe runs serve on SQLite with the given settings; the test ends it.
func startTimeoutServe(t *testing.T, args ...string) *runningServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := startServe(t, ctx, append(dbArgs(t, store.SQLite), args...)...)
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

func (s *runningServe) dial(t *testing.T) net.Conn {
	t.Helper()
	u, _ := url.Parse(s.base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// grantRequestHead is the request line and headers of a grant request with demoGrant's length.
func (s *runningServe) grantRequestHead() string {
	return fmt.Sprintf("POST /core/customermgr/v3/customer/grant HTTP/1.1\r\nHost: custaccess\r\n"+
		"Authorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", s.token, len(demoGrant))
}

func write(t *testing.T, conn net.Conn, text string) {
	t.Helper()
	if _, err := io.WriteString(conn, text); err != nil {
		t.Fatal(err)
	}
}

// connectionEnd reads until the server ends the connection, for up to patience, and returns
// what it received and when the end came.
func connectionEnd(t *testing.T, r io.Reader) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan []byte, 1)
	go func() {
		data, _ := io.ReadAll(r) // EOF or reset: the server closed the connection
		done <- data
	}()
	select {
	case data := <-done:
		return string(data), time.Since(start)
	case <-time.After(patience):
		t.Fatalf("the connection still open after %v", patience)
		return "", 0
	}
}

// checkEndedBy fails unless the connection ended about when the timeout says: not at once,
// and well before the other timeouts could.
func checkEndedBy(t *testing.T, what string, elapsed, timeout time.Duration) {
	t.Helper()
	t.Logf("%s ended after %v", what, elapsed)
	if elapsed < timeout/3 || elapsed > lateBound {
		t.Errorf("%s ended after %v, want about %v", what, elapsed, timeout)
	}
}
