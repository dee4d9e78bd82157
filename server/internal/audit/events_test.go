package audit_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

const auditorsFixture = `
users:
  - {login: auditor, name: Auditor, auditor: true}
clients:
  - {clientId: audit-export, name: Audit export, type: API, auditor: true, secret: audit-export-secret-0123}
  - {clientId: plain-client, name: Plain, type: API, secret: plain-client-secret-0123}
`

const eventsPath = "/audit/v1/events"

// newAuditHarness has three grant creations by agent after the fixtures' seed events.
func newAuditHarness(t *testing.T, dialect store.Dialect) *servertest.Harness {
	t.Helper()
	h := servertest.New(t, dialect, auditorsFixture)
	agent := h.UserToken("agent")
	for _, grantee := range [][2]string{{"1000", "1002"}, {"1000", "1020"}, {"2000", "2001"}} {
		if rec := h.Do(servertest.Post(agent, servertest.GrantBody(grantee[0], grantee[1]))); rec.Code != http.StatusCreated {
			t.Fatalf("grant: %d %s", rec.Code, rec.Body)
		}
	}
	return h
}

func page(t *testing.T, rec *httptest.ResponseRecorder) gen.AuditEventPage {
	t.Helper()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var p gen.AuditEventPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestListAuditEventsFiltersAndPages(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newAuditHarness(t, dialect)
		token := h.UserToken("auditor")
		all := page(t, h.Do(servertest.Get(token, eventsPath+"?api=egain")))
		if len(all.Items) != 3 || all.Next != nil {
			t.Fatalf("egain events: %+v", all)
		}
		for _, e := range all.Items {
			if e.OperationId != "createCustomerGrants" || e.Actor.Id != "agent" || e.Actor.Kind != "user" {
				t.Errorf("event %+v", e)
			}
		}
		byTarget := page(t, h.Do(servertest.Get(token, eventsPath+"?target=2001")))
		if len(byTarget.Items) != 1 || byTarget.Items[0].Seq != all.Items[2].Seq {
			t.Fatalf("target 2001: %+v", byTarget)
		}
		if none := page(t, h.Do(servertest.Get(token, eventsPath+"?actor=nobody"))); len(none.Items) != 0 {
			t.Fatalf("actor nobody: %+v", none)
		}
		if none := page(t, h.Do(servertest.Get(token, eventsPath+"?from=2999-01-01T00:00:00Z"))); len(none.Items) != 0 {
			t.Fatalf("from the future: %+v", none)
		}
		if some := page(t, h.Do(servertest.Get(token, eventsPath+"?to=2999-01-01T00:00:00Z&operationId=createCustomerGrants"))); len(some.Items) != 3 {
			t.Fatalf("to the future: %+v", some)
		}
		// Paging by one: follow next until it is absent.
		var seqs []int64
		next := eventsPath + "?api=egain&limit=1"
		for range 10 {
			p := page(t, h.Do(servertest.Get(token, next)))
			for _, e := range p.Items {
				seqs = append(seqs, e.Seq)
			}
			if p.Next == nil {
				break
			}
			u, _ := url.Parse(*p.Next)
			if u.Query().Get("api") != "egain" || u.Query().Get("limit") != "1" {
				t.Fatalf("next %s drops the filters", *p.Next)
			}
			next = *p.Next
		}
		if fmt.Sprint(seqs) != fmt.Sprint([]int64{all.Items[0].Seq, all.Items[1].Seq, all.Items[2].Seq}) {
			t.Fatalf("paged seqs %v", seqs)
		}
		// An auditor client reads too.
		if p := page(t, h.Do(servertest.Get(h.ClientToken("audit-export"), eventsPath+"?api=egain"))); len(p.Items) != 3 {
			t.Fatalf("client auditor: %+v", p)
		}
	})
}

func TestListAuditEventsRefusals(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newAuditHarness(t, dialect)
		cases := []struct {
			name    string
			request servertest.Request
			status  int
			detail  string
		}{
			{"no token", servertest.Get("", eventsPath), 401, "bearer token is required"},
			{"bad token", servertest.Get("e30.e30.e30", eventsPath), 401, "not valid"},
			{"not an auditor, with the scope", servertest.Get(h.UserToken("agent"), eventsPath), 403, "user:agent is not an auditor"},
			{"client not an auditor", servertest.Get(h.ClientToken("plain-client"), eventsPath), 403, "client:plain-client is not an auditor"},
			{"auditor without the scope", servertest.Get(h.Token(auth.PrincipalUser, "auditor", "core.customermgr.read"), eventsPath), 403, "audit.read"},
			{"bad time", servertest.Get(h.UserToken("auditor"), eventsPath+"?from=yesterday"), 400, "from"},
			{"bad api", servertest.Get(h.UserToken("auditor"), eventsPath+"?api=sap"), 400, "api"},
			{"limit too large", servertest.Get(h.UserToken("auditor"), eventsPath+"?limit=1001"), 400, "limit"},
			{"unknown parameter", servertest.Get(h.UserToken("auditor"), eventsPath+"?user=x"), 400, "user"},
			{"not acceptable", servertest.Get(h.UserToken("auditor"), eventsPath).With("Accept", "text/csv"), 406, "Accept"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rec := h.Do(c.request)
				if rec.Code != c.status || rec.Header().Get("Content-Type") != "application/problem+json" {
					t.Fatalf("status %d %s, want %d problem+json: %s", rec.Code, rec.Header().Get("Content-Type"), c.status, rec.Body)
				}
				var p gen.Problem
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != c.status || p.Type != "about:blank" || p.Detail == nil || !strings.Contains(*p.Detail, c.detail) {
					t.Fatalf("problem %s, want detail with %q", rec.Body, c.detail)
				}
			})
		}
	})
}

func TestListAuditEventsNegotiatesNDJSON(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newAuditHarness(t, dialect)
		cases := []struct {
			accept string
			ndjson bool
		}{
			{"", false},
			{"*/*", false},
			{"application/json", false},
			{"application/x-ndjson", true},
			{"application/json;q=0.2, application/x-ndjson", true},
			{"application/x-ndjson;q=0.5, application/json", false},
			{"application/*, application/x-ndjson", true},
			{"application/x-ndjson;q=0, */*", false},
		}
		for _, c := range cases {
			t.Run(c.accept, func(t *testing.T) {
				request := servertest.Get(h.UserToken("auditor"), eventsPath+"?api=egain")
				if c.accept != "" {
					request = request.With("Accept", c.accept)
				}
				rec := h.Do(request)
				if !c.ndjson {
					page(t, rec)
					return
				}
				if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/x-ndjson" {
					t.Fatalf("status %d %s", rec.Code, rec.Header().Get("Content-Type"))
				}
				var lines int
				scanner := bufio.NewScanner(rec.Body)
				for scanner.Scan() {
					var e store.AuditEvent
					if err := json.Unmarshal(scanner.Bytes(), &e); err != nil || e.API != "egain" {
						t.Fatalf("line %q: %v", scanner.Text(), err)
					}
					lines++
				}
				if lines != 3 {
					t.Fatalf("%d lines, want 3", lines)
				}
			})
		}
	})
}

// TestTokenEndpointOffersAuditReadOnlyToAuditors: without a scope an auditor client's token
// carries audit.read, another client's does not, and asking for it is invalid_scope.
func TestTokenEndpointOffersAuditReadOnlyToAuditors(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newAuditHarness(t, dialect)
		issue := func(client, secret, scope string) *httptest.ResponseRecorder {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {secret}}
			if scope != "" {
				form.Set("scope", scope)
			}
			return h.Do(servertest.Request{Method: http.MethodPost, Path: "/oauth/token", Body: form.Encode(),
				Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		}
		rec := issue("audit-export", "audit-export-secret-0123", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "audit.read") {
			t.Fatalf("auditor: %d %s", rec.Code, rec.Body)
		}
		rec = issue("plain-client", "plain-client-secret-0123", "")
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "audit.read") {
			t.Fatalf("plain client: %d %s", rec.Code, rec.Body)
		}
		rec = issue("plain-client", "plain-client-secret-0123", "audit.read")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "invalid_scope") {
			t.Fatalf("plain client asking audit.read: %d %s", rec.Code, rec.Body)
		}
	})
}
