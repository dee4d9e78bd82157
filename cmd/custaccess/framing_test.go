package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeRefusesContentLengthWithTransferEncoding: a request carrying both Content-Length
// and Transfer-Encoding is framed ambiguously (RFC 9112 §6.1), the classic way to smuggle
// a request past a proxy that reads the other header. serve answers it 400 in the API's
// error shape and closes the connection, so that the bytes after it — here a second
// request in the same write — are never served. Connections, not the database: SQLite only
// (server's TestAmbiguousFramingIsRefused runs every API on both databases).
func TestServeRefusesContentLengthWithTransferEncoding(t *testing.T) {
	s := startTimeoutServe(t)
	conn := s.dial(t)
	smuggled := "GET /healthz HTTP/1.1\r\nHost: custaccess\r\n\r\n"
	write(t, conn, fmt.Sprintf("POST /core/customermgr/v3/customer/grant HTTP/1.1\r\nHost: custaccess\r\n"+
		"Authorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"%x\r\n%s\r\n0\r\n\r\n%s", s.token, len(demoGrant), demoGrant, smuggled))
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !resp.Close || !strings.Contains(string(body), `"code":"400-196"`) {
		t.Fatalf("status %d, Connection: close %v, body %s; want 400 (400-196) closing the connection", resp.StatusCode, resp.Close, body)
	}
	if rest, _ := connectionEnd(t, reader); rest != "" {
		t.Fatalf("after the refusal the connection carried %q: the bytes after the request were served", rest)
	}
}
