// Package servertest is the whole-stack test harness the vendor packages share: the same
// *echo.Echo that serve runs, over a fresh database per test, with every response checked
// against the spec (and each eGain response against eGain's catalogue).
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// BaseFixture is the reference data every harness starts from.
const BaseFixture = `
settings: {customerDepartmentalization: true}
departments:
  - {id: 10, name: Retail}
  - {id: 20, name: Wholesale}
  - {id: 30, name: Export}
customers:
  - {id: "1000", name: Jane Roe, type: individual, department: 10}
  - {id: "1002", name: John Doe, type: individual, department: 10, canSignIn: true}
  - {id: "1020", name: Mary Major, type: individual, department: 10}
  - {id: "1500", name: Acme Retail Ltd, type: organization, department: 10}
  - {id: "2000", name: Erika Mustermann, type: individual, department: 20}
  - {id: "2001", name: Max Mustermann, type: individual, department: 20}
  - {id: "3000", name: Juan Perez, type: individual, department: 30, canSignIn: true}
users:
  - {login: agent, name: Agent, homeDepartment: 10, foreignDepartments: [20], actions: [Edit Customer, View Agent Console]}
  - {login: homebody, name: Home only, homeDepartment: 10, actions: [Edit Customer, View Agent Console]}
  - {login: viewer, name: Viewer, homeDepartment: 10, foreignDepartments: [20], actions: [View Agent Console]}
  - {login: editor, name: Editor, homeDepartment: 10, actions: [Edit Customer]}
clients:
  - {clientId: crm-sync, name: CRM sync, type: API}
  - {clientId: portal, name: Web portal, type: WEB}
`

// Secret signs the harness's built-in tokens.
var Secret = []byte("test-secret-test-secret-test-secret!")

// Harness is one service over one database.
type Harness struct {
	T      testing.TB
	E      *echo.Echo
	Store  *store.Store
	Tokens *auth.Tokens
	// Database reaches the store's database, for storetest.Exec.
	Database store.Options
}

// New builds the same *echo.Echo that serve runs, over a fresh database of dialect loaded
// with BaseFixture and then each extra fixture.
func New(t testing.TB, dialect store.Dialect, extraFixtures ...string) *Harness {
	t.Helper()
	return NewConfigured(t, dialect, nil, extraFixtures...)
}

// NewConfigured is New with configure applied to the server's Config first.
func NewConfigured(t testing.TB, dialect store.Dialect, configure func(*server.Config), extraFixtures ...string) *Harness {
	t.Helper()
	return NewOn(t, storetest.Options(t, dialect), configure, extraFixtures...)
}

// NewOn is NewConfigured on the database that database reaches.
func NewOn(t testing.TB, database store.Options, configure func(*server.Config), extraFixtures ...string) *Harness {
	t.Helper()
	s := storetest.OpenWith(t, database)
	for _, text := range append([]string{BaseFixture}, extraFixtures...) {
		LoadFixture(t, s, text)
	}
	tokens, err := auth.NewTokens(Secret)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Store: s, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if configure != nil {
		configure(&cfg)
	}
	e, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Harness{T: t, E: e, Store: s, Tokens: tokens, Database: database}
}

// LoadFixture loads a seed file's text into s.
func LoadFixture(t testing.TB, s *store.Store, text string) {
	t.Helper()
	fixture, err := store.ParseFixture([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadFixture(context.Background(), fixture); err != nil {
		t.Fatal(err)
	}
}

// ForEachDialect runs fn as a parallel subtest per database dialect.
func ForEachDialect(t *testing.T, fn func(t *testing.T, dialect store.Dialect)) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, dialect)
		})
	}
}

// Token issues a token valid for an hour; without scopes it carries every scope of its kind.
func (h *Harness) Token(kind auth.PrincipalKind, subject string, scopes ...string) string {
	h.T.Helper()
	if len(scopes) == 0 {
		var err error
		if scopes, err = server.ScopesFor(kind); err != nil {
			h.T.Fatal(err)
		}
	}
	token, err := h.Tokens.Issue(kind, subject, scopes, time.Hour)
	if err != nil {
		h.T.Fatal(err)
	}
	return token
}

// UserToken and ClientToken issue tokens with every scope of their kind.
func (h *Harness) UserToken(login string) string    { return h.Token(auth.PrincipalUser, login) }
func (h *Harness) ClientToken(client string) string { return h.Token(auth.PrincipalClient, client) }

// CustomerToken issues a signed-in customer's token (oAuthCustomer) with every scope of
// its kind.
func (h *Harness) CustomerToken(id string) string { return h.Token(auth.PrincipalCustomer, id) }

// Request is one HTTP request into the stack.
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    string
	Headers map[string]string
	// LengthUnknown sends the body without Content-Length, as chunked transfer does.
	LengthUnknown bool
}

// Do sends the request into the stack and checks the response: against the spec for its
// status and media type, and an eGain response against eGain's rules (CheckEgainResponse).
func (h *Harness) Do(r Request) *httptest.ResponseRecorder {
	h.T.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.LengthUnknown {
		req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.E.ServeHTTP(rec, req)
	if IsEgainPath(req.URL.Path) {
		CheckEgainResponse(h.T, req, rec)
	} else {
		CheckFollowsSpec(h.T, req, rec)
	}
	return rec
}

// GrantPairs reads every stored grant as "grantedOn>grantee", ordered, to check what a
// request wrote.
func (h *Harness) GrantPairs() []string {
	h.T.Helper()
	var grants []store.CustomerGrant
	storetest.Rows(h.T, h.Database, &grants, "granted_on_id, grantee_id")
	pairs := make([]string, len(grants))
	for i, g := range grants {
		pairs[i] = strconv.FormatInt(g.GrantedOnID, 10) + ">" + strconv.FormatInt(g.GranteeID, 10)
	}
	return pairs
}

// StatementsOf returns a function that runs a request, checks its status and returns the
// SQL statements the store ran for it.
func (h *Harness) StatementsOf(t *testing.T) func(r Request, status int) []string {
	t.Helper()
	var (
		mu         sync.Mutex
		statements []string
	)
	if err := h.Store.ObserveStatements(func(sql string) {
		mu.Lock()
		statements = append(statements, sql)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	return func(r Request, status int) []string {
		t.Helper()
		mu.Lock()
		statements = nil
		mu.Unlock()
		if rec := h.Do(r); rec.Code != status {
			t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
		}
		mu.Lock()
		defer mu.Unlock()
		return statements
	}
}
