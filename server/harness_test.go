package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// baseFixture is the reference data every grant test starts from.
const baseFixture = `
settings: {customerDepartmentalization: true}
departments:
  - {id: 10, name: Retail}
  - {id: 20, name: Wholesale}
  - {id: 30, name: Export}
customers:
  - {id: "1000", name: Jane Roe, type: individual, department: 10}
  - {id: "1002", name: John Doe, type: individual, department: 10}
  - {id: "1020", name: Mary Major, type: individual, department: 10}
  - {id: "1500", name: Acme Retail Ltd, type: organization, department: 10}
  - {id: "2000", name: Erika Mustermann, type: individual, department: 20}
  - {id: "2001", name: Max Mustermann, type: individual, department: 20}
  - {id: "3000", name: Juan Perez, type: individual, department: 30}
users:
  - {login: agent, name: Agent, homeDepartment: 10, foreignDepartments: [20], actions: [Edit Customer, View Agent Console]}
  - {login: homebody, name: Home only, homeDepartment: 10, actions: [Edit Customer, View Agent Console]}
  - {login: viewer, name: Viewer, homeDepartment: 10, foreignDepartments: [20], actions: [View Agent Console]}
  - {login: editor, name: Editor, homeDepartment: 10, actions: [Edit Customer]}
clients:
  - {clientId: crm-sync, name: CRM sync, type: API}
  - {clientId: portal, name: Web portal, type: WEB}
`

type harness struct {
	t      testing.TB
	e      *echo.Echo
	store  *store.Store
	tokens *Tokens
	// database reaches the store's database, for storetest.Exec.
	database store.Options
}

var testSecret = []byte("test-secret-test-secret-test-secret!")

// newHarness builds the same *echo.Echo that serve runs, over a fresh database of dialect
// loaded with baseFixture and then each extra fixture.
func newHarness(t testing.TB, dialect store.Dialect, extraFixtures ...string) *harness {
	t.Helper()
	return newConfiguredHarness(t, dialect, nil, extraFixtures...)
}

// newConfiguredHarness is newHarness with configure applied to the server's Config first.
func newConfiguredHarness(t testing.TB, dialect store.Dialect, configure func(*Config), extraFixtures ...string) *harness {
	t.Helper()
	return newHarnessOn(t, storetest.Options(t, dialect), configure, extraFixtures...)
}

// newHarnessOn is newConfiguredHarness on the database that database reaches.
func newHarnessOn(t testing.TB, database store.Options, configure func(*Config), extraFixtures ...string) *harness {
	t.Helper()
	s := storetest.OpenWith(t, database)
	for _, text := range append([]string{baseFixture}, extraFixtures...) {
		loadFixture(t, s, text)
	}
	tokens, err := NewTokens(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: s, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if configure != nil {
		configure(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, e: e, store: s, tokens: tokens, database: database}
}

func loadFixture(t testing.TB, s *store.Store, text string) {
	t.Helper()
	fixture, err := store.ParseFixture([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadFixture(context.Background(), fixture); err != nil {
		t.Fatal(err)
	}
}

// forEachDialect runs fn as a parallel subtest per database dialect.
func forEachDialect(t *testing.T, fn func(t *testing.T, dialect store.Dialect)) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, dialect)
		})
	}
}

// token issues a token valid for an hour; without scopes it carries every scope of its kind.
func (h *harness) token(kind PrincipalKind, subject string, scopes ...string) string {
	h.t.Helper()
	if len(scopes) == 0 {
		var err error
		if scopes, err = ScopesFor(kind); err != nil {
			h.t.Fatal(err)
		}
	}
	token, err := h.tokens.Issue(kind, subject, scopes, time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return token
}

func (h *harness) userToken(login string) string    { return h.token(PrincipalUser, login) }
func (h *harness) clientToken(client string) string { return h.token(PrincipalClient, client) }

// request is one HTTP request into the stack.
type request struct {
	method  string
	path    string
	token   string
	body    string
	headers map[string]string
}

func (h *harness) do(r request) *httptest.ResponseRecorder {
	h.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	return rec
}

// wsError decodes and checks an eGain error response: status, code, and a message with
// every placeholder filled.
func wsError(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) gen.WSError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var body gen.WSError
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&body); err != nil {
		t.Fatalf("error body is not a WSError: %v", err)
	}
	if body.Code != code {
		t.Fatalf("code %q, want %q (%s)", body.Code, code, body.DeveloperMessage)
	}
	if body.DeveloperMessage == "" || strings.Contains(body.DeveloperMessage, "%!") {
		t.Fatalf("developerMessage %q is empty or badly formatted", body.DeveloperMessage)
	}
	if body.Details != nil && len(*body.Details) > maxErrorDetails {
		t.Fatalf("%d details, at most %d allowed", len(*body.Details), maxErrorDetails)
	}
	return body
}

// detail returns the values of a details key.
func detailValues(body gen.WSError, key string) []string {
	var values []string
	if body.Details != nil {
		for _, d := range *body.Details {
			if d.Key == key {
				values = append(values, d.Value)
			}
		}
	}
	return values
}

// grantPairs reads every stored grant as "grantedOn>grantee", to check what a request wrote.
func (h *harness) grantPairs() []string {
	h.t.Helper()
	var grants []store.CustomerGrant
	err := h.store.View(context.Background(), func(tx *store.Tx) (err error) {
		grants, err = tx.AllGrants()
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	pairs := make([]string, len(grants))
	for i, g := range grants {
		pairs[i] = formatID(g.GrantedOnID) + ">" + formatID(g.GranteeID)
	}
	return pairs
}

// grantBody builds a create request body.
func grantBody(on string, to ...string) string {
	var b strings.Builder
	b.WriteString(`{"grantsOn":{"customer":[{"id":"` + on + `"}]},"grantsTo":{"customer":[`)
	for i, id := range to {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"` + id + `"}`)
	}
	b.WriteString("]}}")
	return b.String()
}

const (
	grantPath = "/core/customermgr/v3/customer/grant"
)

func grantsPath(id string) string { return "/core/customermgr/v3/customer/" + id + "/grants" }

func grantedCustomerPath(on, grantee string) string {
	return "/core/customermgr/v3/customer/" + on + "/grantedcustomer/" + grantee
}
