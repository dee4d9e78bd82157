package httpapi

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// A request carrying both Content-Length and Transfer-Encoding is framed ambiguously: a
// proxy that reads the one and a server that reads the other split the stream into
// different requests, which is how requests are smuggled. RFC 9112 §6.1 lets a server
// serve it by Transfer-Encoding only if it closes the connection afterwards; this service
// refuses it (400 in the API's error shape) and closes the connection, so that nothing
// after it on the connection is served.
//
// net/http removes Content-Length from a chunked request before any handler sees it, so
// the check reads the connection itself: GuardFraming wraps each connection in a reader
// that follows HTTP/1.1 framing as net/http does (heads, then bodies by Content-Length or
// chunks) and notes, for each request head, whether it carried both headers. The handler
// takes the note of its request (matched by method and request target, in order), and
// RefuseAmbiguousFraming answers it.

// maxFramingHeadLine bounds a line the framing reader keeps: net/http refuses heads larger
// than its MaxHeaderBytes (1 MB by default) and closes the connection, so following it
// further is of no use.
const maxFramingHeadLine = 1<<20 + 4096

// maxPendingHeads bounds the heads read but not yet served on one connection: net/http
// reads ahead at most its buffer (4 KB), a few hundred heads at most.
const maxPendingHeads = 1024

// GuardFraming prepares srv to refuse ambiguously framed requests and returns the listener
// to serve on: its connections note each request's framing, and srv's handler passes the
// note on in the request's context.
func GuardFraming(srv *http.Server, l net.Listener) net.Listener {
	connContext := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if connContext != nil {
			ctx = connContext(ctx, c)
		}
		if fc, ok := c.(*framingConn); ok {
			ctx = context.WithValue(ctx, framingConnKey{}, fc.framing)
		}
		return ctx
	}
	next := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if framing, ok := r.Context().Value(framingConnKey{}).(*connFraming); ok && framing.ambiguous(r.Method, r.RequestURI) {
			r = r.WithContext(context.WithValue(r.Context(), ambiguousFramingKey{}, true))
		}
		next.ServeHTTP(w, r)
	})
	return framingListener{l}
}

type (
	framingConnKey      struct{}
	ambiguousFramingKey struct{}
)

// AmbiguousFraming tells whether the request in ctx carried both Content-Length and
// Transfer-Encoding (only on a listener from GuardFraming).
func AmbiguousFraming(ctx context.Context) bool {
	ambiguous, _ := ctx.Value(ambiguousFramingKey{}).(bool)
	return ambiguous
}

// RefuseAmbiguousFraming answers an ambiguously framed request 400 with "Connection: close",
// after which net/http closes the connection instead of reading the next request from it.
func RefuseAmbiguousFraming(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !AmbiguousFraming(c.Request().Context()) {
			return next(c)
		}
		c.Response().Header().Set(echo.HeaderConnection, "close")
		return &Problem{Kind: InvalidParameter, In: "header", Subject: "Transfer-Encoding",
			Reason: "a request may not carry both Content-Length and Transfer-Encoding"}
	}
}

type framingListener struct{ net.Listener }

func (l framingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &framingConn{Conn: c, framing: &connFraming{}}, nil
}

// framingConn notes the framing of the requests read from it.
type framingConn struct {
	net.Conn
	framing *connFraming
}

func (c *framingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.framing.follow(p[:n])
	return n, err
}

// CloseWrite keeps net/http's half-close of a connection it ends after a response (the
// client then reads the whole response before the reset that unread data would cause).
func (c *framingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the connection's own (sendfile) path for response bodies.
func (c *framingConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}

// framingPhase is where in a request the framing reader is.
type framingPhase int

const (
	inHead framingPhase = iota
	inBody
	inChunkSize
	inChunkData
	afterChunkData
	inTrailer
	// lost: the stream is one net/http refuses (and then closes the connection) or that
	// the reader cannot follow; it notes nothing more.
	lost
)

// connFraming follows the requests of one connection. follow runs in net/http's reading
// and ambiguous in the handler, on different goroutines.
type connFraming struct {
	mu        sync.Mutex
	phase     framingPhase
	line      []byte // the part of a line read so far
	remaining int64  // body or chunk bytes still to come
	head      framingHead
	pending   []framingHead // heads read, in order, not yet taken by their handler
}

// framingHead is what the framing reader notes of one request head.
type framingHead struct {
	method, target   string
	http10           bool
	contentLength    string
	hasContentLength bool
	transferEncoding []string
	last             string // the last header's name, for continuation lines
}

// ambiguous takes the note of the request with method and target: the first pending head
// that matches it (heads net/http answers itself, such as OPTIONS *, are passed over).
func (f *connFraming) ambiguous(method, target string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, head := range f.pending {
		if head.method == method && head.target == target {
			f.pending = f.pending[i+1:]
			return head.hasContentLength && len(head.transferEncoding) > 0
		}
	}
	return false
}

func (f *connFraming) follow(p []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(p) > 0 && f.phase != lost {
		switch f.phase {
		case inBody, inChunkData:
			n := min(int64(len(p)), f.remaining)
			p, f.remaining = p[n:], f.remaining-n
			if f.remaining == 0 {
				if f.phase == inBody {
					f.phase = inHead
				} else {
					f.phase = afterChunkData
				}
			}
		default:
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				f.keep(p)
				return
			}
			f.keep(p[:i])
			p = p[i+1:]
			if f.phase != lost {
				line := strings.TrimRight(string(f.line), "\r")
				f.line = f.line[:0]
				f.endLine(line)
			}
		}
	}
}

func (f *connFraming) keep(p []byte) {
	if len(f.line)+len(p) > maxFramingHeadLine {
		f.phase = lost
		return
	}
	f.line = append(f.line, p...)
}

// endLine takes one line of a head, a chunk size, the end of a chunk or a trailer.
func (f *connFraming) endLine(line string) {
	switch f.phase {
	case inHead:
		f.headLine(line)
	case inChunkSize:
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseUint(strings.TrimSpace(size), 16, 63)
		switch {
		case err != nil:
			f.phase = lost
		case n == 0:
			f.phase = inTrailer
		default:
			f.phase, f.remaining = inChunkData, int64(n)
		}
	case afterChunkData:
		if line != "" {
			f.phase = lost
			return
		}
		f.phase = inChunkSize
	case inTrailer:
		if line == "" {
			f.phase = inHead
		}
	}
}

func (f *connFraming) headLine(line string) {
	h := &f.head
	switch {
	case h.method == "":
		if line == "" {
			return // net/http passes over empty lines before a request line
		}
		method, rest, ok1 := strings.Cut(line, " ")
		target, proto, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 {
			f.phase = lost
			return
		}
		h.method, h.target, h.http10 = method, target, proto == "HTTP/1.0"
	case line == "":
		f.endHead()
	case line[0] == ' ' || line[0] == '\t':
		// A continuation of the previous header's value, joined by a space as net/http does.
		if strings.EqualFold(h.last, "Transfer-Encoding") && len(h.transferEncoding) > 0 {
			last := &h.transferEncoding[len(h.transferEncoding)-1]
			*last = strings.TrimSpace(*last + " " + strings.TrimSpace(line))
		} else if strings.EqualFold(h.last, "Content-Length") {
			h.contentLength = strings.TrimSpace(h.contentLength + " " + strings.TrimSpace(line))
		}
	default:
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			f.phase = lost
			return
		}
		h.last = name
		switch {
		case strings.EqualFold(name, "Content-Length"):
			if !h.hasContentLength {
				h.contentLength = strings.TrimSpace(value)
			}
			h.hasContentLength = true
		case strings.EqualFold(name, "Transfer-Encoding"):
			h.transferEncoding = append(h.transferEncoding, strings.TrimSpace(value))
		}
	}
}

// endHead notes the head and goes on to its body as net/http reads it: by chunks for
// HTTP/1.1 with Transfer-Encoding chunked (the only one it takes), else by Content-Length.
func (f *connFraming) endHead() {
	h := f.head
	f.head = framingHead{}
	if len(f.pending) == maxPendingHeads {
		f.phase = lost
		return
	}
	f.pending = append(f.pending, h)
	switch {
	case !h.http10 && len(h.transferEncoding) > 0:
		if len(h.transferEncoding) != 1 || !strings.EqualFold(h.transferEncoding[0], "chunked") {
			f.phase = lost // net/http answers 501 and closes the connection
			return
		}
		f.phase = inChunkSize
	case h.hasContentLength:
		n, err := strconv.ParseInt(strings.TrimSpace(h.contentLength), 10, 64)
		if err != nil || n < 0 {
			f.phase = lost // net/http answers 400 and closes the connection
			return
		}
		f.phase, f.remaining = inBody, n
		if n == 0 {
			f.phase = inHead
		}
	}
}
