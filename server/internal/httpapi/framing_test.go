package httpapi

import (
	"fmt"
	"testing"
)

// TestFramingFollowsTheStream: the framing reader finds the same heads however the stream
// is cut into reads (net/http reads what the socket gives), through Content-Length and
// chunked bodies whose bytes look like heads, chunk extensions, trailers, continuation
// lines and bare LF line ends.
func TestFramingFollowsTheStream(t *testing.T) {
	fake := "GET /fake HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
	stream := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: " + fmt.Sprint(len(fake)) + "\r\n\r\n" + fake +
		"POST /b HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n" +
		fmt.Sprintf("%x;ext=1\r\n%s\r\n0\r\nTrailer-Field: y\r\n\r\n", len(fake), fake) +
		"\r\n" + // net/http passes over an empty line after a POST
		"PUT /c HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding:\r\n chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" +
		"GET /d HTTP/1.1\r\n\r\n"
	want := []struct {
		method, target string
		ambiguous      bool
	}{{"POST", "/a", false}, {"POST", "/b", false}, {"PUT", "/c", true}, {"GET", "/d", false}}
	for size := 1; size <= len(stream); size++ {
		f := &connFraming{}
		for i := 0; i < len(stream); i += size {
			f.follow([]byte(stream[i:min(i+size, len(stream))]))
		}
		if len(f.pending) != len(want) {
			t.Fatalf("reads of %d bytes: %d heads %+v, want %d", size, len(f.pending), f.pending, len(want))
		}
		for _, w := range want {
			if got := f.ambiguous(w.method, w.target); got != w.ambiguous {
				t.Fatalf("reads of %d bytes: %s %s ambiguous %v, want %v", size, w.method, w.target, got, w.ambiguous)
			}
		}
	}
}
