package server_test

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// listen serves h's handler on a real listener, guarded as serve guards it.
func listen(t *testing.T, h *servertest.Harness) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h.E)
	srv.Listener = server.GuardFraming(srv.Config, srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// exchange writes raw on a new connection and reads the responses to the first n requests.
func exchange(t *testing.T, addr, raw string, n int) (net.Conn, *bufio.Reader, []*httptest.ResponseRecorder) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	reader := bufio.NewReader(conn)
	var recs []*httptest.ResponseRecorder
	for range n {
		resp, err := http.ReadResponse(reader, nil)
		if err != nil {
			t.Fatalf("response %d: %v", len(recs)+1, err)
		}
		rec := httptest.NewRecorder()
		for k, v := range resp.Header {
			rec.Header()[k] = v
		}
		if resp.Close { // ReadResponse takes "Connection: close" out of the header
			rec.Header().Set("Connection", "close")
		}
		rec.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(rec, resp.Body)
		resp.Body.Close()
		recs = append(recs, rec)
	}
	return conn, reader, recs
}

// chunked frames body in one chunk and the last chunk.
func chunked(body string) string { return fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body) }

// TestAmbiguousFramingIsRefused: a request carrying both Content-Length and
// Transfer-Encoding gets 400 in its API's error shape with Connection: close, nothing of it
// is applied, and the connection ends, so that the request written behind it in the same
// packet (the smuggled one) is never served. On a raw socket, since net/http hides the
// Content-Length of a chunked request from handlers.
func TestAmbiguousFramingIsRefused(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.OracleFixture, servertest.TokenFixture)
		addr := listen(t, h)
		smuggled := "DELETE /core/customermgr/v3/customer/1000/grantedcustomer/1002 HTTP/1.1\r\nHost: custaccess\r\nAuthorization: Bearer " + h.ClientToken("crm-sync") + "\r\n\r\n"
		head := func(method, path, token, contentType string, extra ...string) string {
			lines := []string{method + " " + path + " HTTP/1.1", "Host: custaccess", "Content-Type: " + contentType}
			if token != "" {
				lines = append(lines, "Authorization: Bearer "+token)
			}
			return strings.Join(append(lines, extra...), "\r\n") + "\r\n"
		}
		basic := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync:"+servertest.CRMSyncSecret))
		for _, tc := range []struct {
			name  string
			head  string
			body  string
			check func(t *testing.T, rec *httptest.ResponseRecorder)
		}{
			{"eGain", head(http.MethodPost, servertest.GrantPath, h.ClientToken("crm-sync"), "application/json"), servertest.GrantBody("1000", "1002"),
				func(t *testing.T, rec *httptest.ResponseRecorder) {
					body := servertest.WSError(t, rec, http.StatusBadRequest, "400-196")
					if got := servertest.DetailValues(body, "parameter"); len(got) != 1 || got[0] != "Transfer-Encoding" {
						t.Errorf("details parameter %v, want [Transfer-Encoding]", got)
					}
				}},
			{"Reltio", head(http.MethodPost, servertest.ReltioPath("TestCustomer", "/roles"), h.UserToken("reltio-admin"), "application/json"), `["CUST01_DS"]`,
				func(t *testing.T, rec *httptest.ResponseRecorder) {
					servertest.ReltioErr(t, rec, http.StatusBadRequest, 40005)
				}},
			{"Oracle", head(http.MethodPost, servertest.RolesPath(servertest.Kim), h.UserToken("css-admin"), "application/json", "REST-Framework-Version: 4"),
				`{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`,
				func(t *testing.T, rec *httptest.ResponseRecorder) {
					servertest.ADFErrorOf(t, rec, http.StatusBadRequest, "ADF_REST_INVALID_PARAMETER")
				}},
			{"token endpoint", head(http.MethodPost, "/oauth/token", "", "application/x-www-form-urlencoded", basic), "grant_type=client_credentials",
				func(t *testing.T, rec *httptest.ResponseRecorder) {
					servertest.OAuthErr(t, rec, http.StatusBadRequest, "invalid_request")
				}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				grants, roles := h.GrantPairs(), len(h.StoredRoles())
				for _, order := range []string{"Content-Length first", "Transfer-Encoding first"} {
					framing := "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
					if order == "Transfer-Encoding first" {
						framing = "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"
					}
					_, reader, recs := exchange(t, addr, tc.head+framing+"\r\n"+chunked(tc.body)+smuggled, 1)
					rec := recs[0]
					tc.check(t, rec)
					if got := rec.Header().Get("Connection"); got != "close" {
						t.Errorf("%s: Connection %q, want close", order, got)
					}
					rest, err := io.ReadAll(reader)
					if err != nil || len(rest) > 0 {
						t.Fatalf("%s: after the refusal the connection carried %q (%v), want its end: the smuggled request was served", order, rest, err)
					}
				}
				if got := h.GrantPairs(); strings.Join(got, ",") != strings.Join(grants, ",") {
					t.Errorf("grants %v, want %v unchanged", got, grants)
				}
				if got := len(h.StoredRoles()); got != roles {
					t.Errorf("%d Oracle roles, want %d unchanged", got, roles)
				}
			})
		}
	})
}

// TestUnambiguousFramingKeepsTheConnection: the guard refuses nothing else. Chunked and
// Content-Length bodies, an empty line after a POST and OPTIONS * (which net/http answers
// itself) on one kept-alive connection are all served, and an ambiguous request after
// them is still recognised as the one it is.
func TestUnambiguousFramingKeepsTheConnection(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		addr := listen(t, h)
		token := h.ClientToken("crm-sync")
		post := func(framing, body string) string {
			return "POST " + servertest.GrantPath + " HTTP/1.1\r\nHost: custaccess\r\nContent-Type: application/json\r\nAuthorization: Bearer " + token + "\r\n" + framing + "\r\n" + body
		}
		list := "GET " + servertest.GrantsPath("1000") + " HTTP/1.1\r\nHost: custaccess\r\nAuthorization: Bearer " + token + "\r\n\r\n"
		first, second := servertest.GrantBody("1000", "1002"), servertest.GrantBody("1000", "1020")
		raw := post("Transfer-Encoding: chunked\r\n", chunked(first)) +
			"OPTIONS * HTTP/1.1\r\nHost: custaccess\r\n\r\n" +
			post(fmt.Sprintf("Content-Length: %d\r\n", len(second)), second) + "\r\n" +
			list +
			// The same request line as the first: recognised by its place, not its line.
			post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", chunked(servertest.GrantBody("1000", "1020"))) +
			list
		_, reader, recs := exchange(t, addr, raw, 5)
		for i, want := range []int{http.StatusCreated, http.StatusOK, http.StatusCreated, http.StatusOK, http.StatusBadRequest} {
			if recs[i].Code != want {
				t.Fatalf("response %d: %d, want %d: %s", i+1, recs[i].Code, want, recs[i].Body)
			}
			if closing := recs[i].Header().Get("Connection") == "close"; closing != (want == http.StatusBadRequest) {
				t.Errorf("response %d: Connection %q", i+1, recs[i].Header().Get("Connection"))
			}
		}
		if rest, err := io.ReadAll(reader); err != nil || len(rest) > 0 {
			t.Fatalf("after the refusal the connection carried %q (%v), want its end", rest, err)
		}
		if got := strings.Join(h.GrantPairs(), ","); got != "1000>1002,1000>1020" {
			t.Errorf("grants %s, want 1000>1002,1000>1020", got)
		}
	})
}
