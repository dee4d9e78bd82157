package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestHostileCorpus sends the generated corpus (hostile_corpus_gen_test.go) through the
// stack that serve runs, on each database: no answer is a 5xx, every error is in its
// vendor's shape and follows the spec, every baseline succeeds, and only a successful
// write changes the database.
func TestHostileCorpus(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, corpusFixtures...)
		rows := hostileCorpus(t, func(kind auth.PrincipalKind, subject string) string { return h.Token(kind, subject) })
		if len(rows) < 1000 {
			t.Fatalf("%d rows; the corpus should hold at least 1000", len(rows))
		}
		// The database changes only through statements the store runs: after a row that ran
		// none but SELECTs it is unchanged, and a snapshot is needed only after the others
		// (and every snapshotEvery rows, to check that reasoning).
		var writes atomic.Int64
		if err := h.Store.ObserveStatements(func(sql string) {
			if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(sql)), "SELECT") {
				writes.Add(1)
			}
		}); err != nil {
			t.Fatal(err)
		}
		const snapshotEvery = 500
		take := storetest.Snapshotter(t, h.Database)
		// Reading the audit trail seals the events pending since the last write into the
		// chain: seal them before each snapshot, so that a read changes nothing.
		snapshot := func() storetest.Snapshot {
			if _, err := h.Store.SealAuditEvents(context.Background()); err != nil {
				t.Fatal(err)
			}
			return take()
		}
		before := snapshot()
		started, failed := time.Now(), 0
		for i, row := range rows {
			if !t.Run(row.name, func(t *testing.T) {
				writes.Store(0)
				rec := serveRow(t, h, row)
				checkRowResponse(t, row, rec)
				if writes.Load() == 0 && (i+1)%snapshotEvery != 0 {
					return
				}
				after := snapshot()
				if diff := before.Diff(after); diff != "" && !changesAllowed(row, rec) {
					t.Errorf("%s %s answered %d but the database changed:\n%s", row.method, truncate(row.target, 200), rec.Code, truncate(diff, 2000))
				}
				// Invalid text never reaches the database, not even replaced by U+FFFD.
				for _, row := range before.Added(after) {
					if strings.Contains(row, `\x`) || strings.ContainsRune(row, utf8.RuneError) {
						t.Errorf("stored a NUL, a control character or invalid UTF-8: %s", truncate(row, 500))
					}
				}
				before = after
			}) {
				failed++
			}
		}
		t.Logf("%d rows in %v, %d failed", len(rows), time.Since(started).Round(time.Millisecond), failed)
	})
}

// changesAllowed: a successful request of a method that writes.
func changesAllowed(row hostileRow, rec *httptest.ResponseRecorder) bool {
	switch row.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return rec.Code >= 200 && rec.Code < 300
}

// serveRow sends a row into the stack as Harness.Do does, with the row's headers as they
// are (repeated lines included), and checks the response against the spec (and eGain's
// catalogue). Failures are the row's test's.
func serveRow(t testing.TB, h *servertest.Harness, row hostileRow) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if len(row.body) > 0 {
		body = bytes.NewReader(row.body)
	}
	if strings.Contains(row.target, corpusHistoryID) {
		row.target = strings.ReplaceAll(row.target, corpusHistoryID, firstHistoryID(t, h))
	}
	req := httptest.NewRequest(row.method, row.target, body)
	req.Header = row.header.Clone()
	rec := httptest.NewRecorder()
	h.E.ServeHTTP(rec, req)
	if servertest.IsEgainPath(req.URL.Path) {
		servertest.CheckEgainResponse(t, req, rec)
	} else {
		servertest.CheckFollowsSpec(t, req, rec)
	}
	return rec
}

// firstHistoryID is the id of the first entry of user 100's role history, or
// corpusHistoryID while there is none. It reads the sealed trail only (sealing would change
// the database under the row): the corpus seals after every write row, before its snapshot.
func firstHistoryID(t testing.TB, h *servertest.Harness) string {
	t.Helper()
	id := corpusHistoryID
	err := h.Store.View(context.Background(), func(tx *store.Tx) error {
		entries, err := tx.OracleRoleHistory(100)
		if len(entries) > 0 {
			id = entries[0].HistoryID()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkRowResponse: no 5xx, a baseline succeeds, an error is in its vendor's shape.
func checkRowResponse(t testing.TB, row hostileRow, rec *httptest.ResponseRecorder) {
	t.Helper()
	where := fmt.Sprintf("%s %s", row.method, truncate(row.target, 200))
	if rec.Code >= 500 {
		t.Errorf("%s: %d %s", where, rec.Code, truncate(rec.Body.String(), 500))
		return
	}
	if row.mustRefuse && rec.Code < 400 {
		t.Errorf("%s: accepted, though it must be refused whatever the data (malformed body or query, invalid text, two Authorization headers): %d %s", where, rec.Code, truncate(rec.Body.String(), 300))
	}
	if row.valid && (rec.Code < 200 || rec.Code >= 300) {
		t.Errorf("%s: the baseline was refused: %d %s", where, rec.Code, truncate(rec.Body.String(), 500))
	}
	if rec.Code < 400 || row.method == http.MethodHead {
		return
	}
	if problem := vendorShapeProblem(row, rec); problem != "" {
		t.Errorf("%s: %d is not in its vendor's error shape: %s: %s", where, rec.Code, problem, truncate(rec.Body.String(), 500))
	}
}

// vendorShapeProblem checks an error body against its API's shape; eGain's
// CheckEgainResponse checked already.
func vendorShapeProblem(row hostileRow, rec *httptest.ResponseRecorder) string {
	path, _, _ := strings.Cut(row.target, "?")
	contentType := rec.Header().Get("Content-Type")
	strict := func(v any) error {
		decoder := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		decoder.DisallowUnknownFields()
		return decoder.Decode(v)
	}
	switch {
	case strings.HasPrefix(path, "/oauth/token"): // the token endpoint's family answers below it too
		var body gen.OAuthError
		if err := strict(&body); err != nil || body.Error == "" {
			return fmt.Sprintf("not an RFC 6749 error (%v)", err)
		}
	case strings.HasPrefix(path, "/oauth/"):
		var body gen.ReltioError
		if err := strict(&body); err != nil || body.Severity != gen.Error || body.ErrorMessage == "" {
			return fmt.Sprintf("not a Reltio error (%v)", err)
		}
		if int(body.ErrorCode)/100 != rec.Code {
			return fmt.Sprintf("errorCode %d with status %d", body.ErrorCode, rec.Code)
		}
	case strings.HasPrefix(path, "/crmRestApi/"):
		if strings.HasPrefix(contentType, "text/plain") {
			if strings.TrimSpace(rec.Body.String()) == "" {
				return "an empty text/plain error"
			}
			return ""
		}
		if contentType != "application/vnd.oracle.adf.error+json" {
			return "Content-Type " + contentType
		}
		var body gen.AdfError
		if err := strict(&body); err != nil || body.Status != strconv.Itoa(rec.Code) || len(body.OErrorDetails) != 1 || body.OErrorDetails[0].Detail == "" {
			return fmt.Sprintf("not an ADF error (%v)", err)
		}
	}
	return ""
}

// TestHostileCorpusFraming sends, on raw connections to a real server, requests whose
// framing is abused, each followed by a probe request: no answer is a 5xx, and the bytes
// after an abused request are never served as a request of their own.
func TestHostileCorpusFraming(t *testing.T) {
	h := servertest.New(t, store.SQLite, corpusFixtures...)
	addr := listen(t, h) // guarded as serve guards its connections
	token := h.UserToken("agent")
	get := "GET " + servertest.GrantsPath("1000") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
	post := "POST " + servertest.GrantPath + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
	grant := servertest.GrantBody("1000", "1002")
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(grant), grant)
	// probe is a request of a path no API has: eGain's 404-101 names it.
	const probe = "GET /smuggled-probe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	// What may become of the probe after the request.
	const (
		mustNotServe = iota // the request's framing is broken: the bytes after it are not a request
		mustServe           // the request is well framed: the probe is the next request (controls)
		mayServe            // the server may accept the request as well framed, or refuse it and close
	)
	for _, tc := range []struct {
		name, request string
		probe         int
		// silenceAllowed: the server rightly waits for more bytes (the body is short).
		silenceAllowed bool
		// status501: RFC 9112 §6.1 has a server answer 501 to a transfer coding it does not
		// implement, as net/http does before any handler.
		status501 bool
	}{
		{name: "pipelined, as a control", request: get + "\r\n", probe: mustServe},
		{name: "Content-Length and Transfer-Encoding", request: post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked},
		{name: "Transfer-Encoding and Content-Length", request: post + "Transfer-Encoding: chunked\r\nContent-Length: " + strconv.Itoa(len(chunked)+len(probe)) + "\r\n\r\n" + chunked},
		{name: "two Content-Lengths", request: post + "Content-Length: " + strconv.Itoa(len(grant)) + "\r\nContent-Length: 4\r\n\r\n" + grant},
		{name: "Content-Length list", request: post + "Content-Length: " + strconv.Itoa(len(grant)) + ", 4\r\n\r\n" + grant},
		{name: "signed Content-Length", request: post + "Content-Length: +" + strconv.Itoa(len(grant)) + "\r\n\r\n" + grant},
		{name: "Transfer-Encoding chunked twice", request: post + "Transfer-Encoding: chunked, chunked\r\n\r\n" + chunked, status501: true},
		{name: "Transfer-Encoding gzip, chunked", request: post + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked, status501: true},
		{name: "Transfer-Encoding identity", request: post + "Transfer-Encoding: identity\r\nContent-Length: " + strconv.Itoa(len(grant)) + "\r\n\r\n" + grant, status501: true},
		{name: "Transfer-Encoding with space before colon", request: post + "Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n" + chunked},
		{name: "Transfer-Encoding folded (obs-fold), with Content-Length", request: post + "Transfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n\r\n" + chunked},
		{name: "obs-fold of Authorization", request: strings.Replace(get, "Authorization: Bearer ", "Authorization: Bearer\r\n ", 1) + "\r\n", probe: mayServe},
		{name: "bare LF line endings", request: strings.ReplaceAll(get, "\r\n", "\n") + "\n", probe: mayServe},
		{name: "bare CR in a header", request: strings.Replace(get, "Host: x", "Host: x\rX-Injected: 1", 1) + "\r\n"},
		{name: "NUL in a header", request: strings.Replace(get, "Host: x", "Host: x\r\nX-Test: a\x00b", 1) + "\r\n"},
		{name: "NUL in Authorization", request: strings.Replace(get, "Bearer ", "Bearer \x00", 1) + "\r\n"},
		{name: "DEL in Accept-Language", request: strings.Replace(get, "Host: x", "Host: x\r\nAccept-Language: en\x7F", 1) + "\r\n"},
		{name: "chunk size overflowing", request: post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" + grant + "\r\n0\r\n\r\n"},
		{name: "chunk size negative", request: post + "Transfer-Encoding: chunked\r\n\r\n-1\r\n" + grant + "\r\n0\r\n\r\n"},
		{name: "chunk extension with LF", request: post + "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x;a=\nb\r\n%s\r\n0\r\n\r\n", len(grant), grant)},
		{name: "short body", request: post + "Content-Length: 1000\r\n\r\n" + grant, silenceAllowed: true},
		{name: "raw space in the target", request: "GET /core/customermgr/v3/customer/1000 /grants HTTP/1.1\r\nHost: x\r\n\r\n"},
		{name: "raw FF in the target", request: "GET /core/customermgr/v3/customer/\xFF/grants HTTP/1.1\r\nHost: x\r\n\r\n", probe: mayServe},
		{name: "bad escape in the target", request: "GET /core/customermgr/v3/customer/%/grants HTTP/1.1\r\nHost: x\r\n\r\n"},
		{name: "absolute-form target", request: "GET http://evil.example" + servertest.GrantsPath("1000") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n", probe: mustServe},
		{name: "HTTP/1.0 keep-alive", request: strings.Replace(get, "HTTP/1.1", "HTTP/1.0", 1) + "Connection: keep-alive\r\n\r\n", probe: mustServe},
		{name: "HTTP/0.9", request: "GET /\r\n\r\n"},
		{name: "HTTP/2 preface on HTTP/1", request: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
		{name: "two Host headers", request: strings.Replace(get, "Host: x", "Host: x\r\nHost: y", 1) + "\r\n"},
		{name: "no Host", request: strings.Replace(get, "Host: x\r\n", "", 1) + "\r\n"},
		{name: "header name with space", request: strings.Replace(get, "Host: x", "Host: x\r\nBad Name: 1", 1) + "\r\n"},
		{name: "headers beyond the limit", request: strings.Replace(get, "Host: x", "Host: x\r\nX-Big: "+strings.Repeat("a", 2<<20), 1) + "\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			responses := rawExchange(t, addr, tc.request+probe)
			served := false
			for _, r := range responses {
				if r.status >= 500 && !(r.status == http.StatusNotImplemented && tc.status501) {
					t.Errorf("status %d: %s", r.status, truncate(r.body, 300))
				}
				if strings.Contains(r.body, "smuggled-probe") {
					served = true
				}
			}
			if len(responses) == 0 && !tc.silenceAllowed {
				t.Errorf("no response")
			}
			if served && tc.probe == mustNotServe {
				t.Errorf("the bytes after the request were served as a request of their own (%d responses)", len(responses))
			}
			if !served && tc.probe == mustServe {
				t.Errorf("the probe after a well-framed request was not served (%d responses): the check would not see smuggling", len(responses))
			}
		})
	}
}

type rawResponse struct {
	status int
	body   string
}

// rawExchange writes the bytes on a fresh connection and reads responses until the server
// closes it or stays silent.
func rawExchange(t *testing.T, addr, request string) []rawResponse {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() { _, _ = io.WriteString(conn, request) }()
	reader := bufio.NewReader(conn)
	var responses []rawResponse
	for {
		_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		resp, err := http.ReadResponse(reader, nil)
		if err != nil {
			return responses
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		responses = append(responses, rawResponse{status: resp.StatusCode, body: string(body)})
	}
}

// FuzzHTTPStack sends the fuzzer's method, target, header lines and body through the
// stack (SQLite): no request is answered with a 5xx. The seeds are a sample of the corpus.
func FuzzHTTPStack(f *testing.F) {
	h := servertest.New(f, store.SQLite, corpusFixtures...)
	rows := hostileCorpus(f, func(kind auth.PrincipalKind, subject string) string { return h.Token(kind, subject) })
	// Small seeds: the fuzzer mutates small inputs faster, and oversized values are the
	// corpus's. None of the token endpoint: each of its requests checks a secret (bcrypt),
	// which under the fuzzer's instrumentation takes seconds, and minimizing one input runs
	// it thousands of times; the corpus covers the endpoint.
	var small []hostileRow
	for _, row := range rows {
		if len(row.target)+len(row.body) < 1024 && !strings.HasPrefix(row.target, "/oauth/token") {
			small = append(small, row)
		}
	}
	for i := 0; i < len(small); i += len(small) / 40 {
		row := small[i]
		var lines strings.Builder
		for name, values := range row.header {
			for _, v := range values {
				lines.WriteString(name + ": " + v + "\n")
			}
		}
		f.Add(row.method, row.target, lines.String(), row.body)
	}
	f.Fuzz(func(t *testing.T, method, target, headerLines string, body []byte) {
		req := fuzzRequest(method, target, headerLines, body)
		if req == nil {
			return // net/http's server would refuse it before any handler
		}
		if strings.HasPrefix(req.URL.Path, "/oauth/token") {
			return // bcrypt, instrumented, takes seconds a request: the corpus covers the endpoint
		}
		rec := httptest.NewRecorder()
		h.E.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q %q %q: %d %s", method, target, headerLines, rec.Code, truncate(rec.Body.String(), 500))
		}
	})
}

// fuzzRequest builds the request net/http's server would hand the handler, or nil where it
// would answer 400 itself: it parses the request head as the server does.
func fuzzRequest(method, target, headerLines string, body []byte) *http.Request {
	var head strings.Builder
	head.WriteString(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n")
	for _, line := range strings.Split(headerLines, "\n") {
		name, value, found := strings.Cut(line, ":")
		if !found || strings.EqualFold(strings.TrimSpace(name), "Content-Length") || strings.EqualFold(strings.TrimSpace(name), "Transfer-Encoding") {
			continue
		}
		value = strings.TrimSpace(value)
		if strings.ContainsAny(name+value, "\r\n") || !travelsInHeader(value) {
			return nil
		}
		head.WriteString(name + ": " + value + "\r\n")
	}
	fmt.Fprintf(&head, "Content-Length: %d\r\n\r\n", len(body))
	req, err := http.ReadRequest(bufio.NewReader(io.MultiReader(strings.NewReader(head.String()), bytes.NewReader(body))))
	if err != nil || req.Method != method {
		return nil
	}
	for name := range req.Header {
		for i := 0; i < len(name); i++ {
			if c := name[i]; c <= ' ' || c >= 0x7F || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
				return nil
			}
		}
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req
}
