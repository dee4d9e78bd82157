package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/httpapi"
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
	tokens *auth.Tokens
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
	tokens, err := auth.NewTokens(testSecret)
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
func (h *harness) token(kind auth.PrincipalKind, subject string, scopes ...string) string {
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

func (h *harness) userToken(login string) string    { return h.token(auth.PrincipalUser, login) }
func (h *harness) clientToken(client string) string { return h.token(auth.PrincipalClient, client) }

// request is one HTTP request into the stack.
type request struct {
	method  string
	path    string
	token   string
	body    string
	headers map[string]string
	// lengthUnknown sends the body without Content-Length, as chunked transfer does.
	lengthUnknown bool
}

// do sends the request into the stack and checks what every eGain response must be: valid
// against the spec for its status and media type, with Content-Language and Vary, and an
// error only of the catalogue, whose code it records, and never stored by caches; and that
// the responses of the other APIs (Reltio, Oracle, the token endpoint) are valid against
// the spec too.
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
	if r.lengthUnknown {
		req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	if _, isEgain := testFamilies.For(req.URL.Path).(egainFamily); isEgain {
		checkEgainResponse(h.t, req, rec)
	} else {
		checkFollowsSpec(h.t, req, rec)
	}
	return rec
}

// testFamilies tells the family of a request's path.
var testFamilies = httpapi.NewFamilies(egainFamily{}, reltioFamily{}, oracleFamily{}, oauthFamily{})

// specRouter routes requests over the embedded spec, to validate responses.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(spec)
})

// egainCodesSeen records the code of every eGain error a response in these tests carried.
var egainCodesSeen sync.Map

func checkEgainResponse(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if _, isEgain := testFamilies.For(req.URL.Path).(egainFamily); !isEgain {
		return
	}
	if _, operational := httpapi.OperationalEndpoints[req.URL.Path]; operational {
		return // not an eGain operation, though outside every other API too
	}
	if _, benchmark := t.(*testing.B); benchmark {
		return // benchmarks measure the service, not these checks
	}
	if got := rec.Header().Get("Vary"); got != "Accept, Accept-Language" {
		t.Errorf("Vary %q, want Accept, Accept-Language", got)
	}
	if got := rec.Header().Get("Content-Language"); !slices.Contains(egainLocales, got) {
		t.Errorf("Content-Language %q is none of eGain's locales", got)
	}
	if rec.Code >= 400 && req.Method != http.MethodHead {
		body := decodeWSError(t, rec)
		egainCodesSeen.Store(body.Code, true)
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("error %s with Cache-Control %q, want no-store", body.Code, got)
		}
		i := slices.IndexFunc(egainCatalogue[:], func(c egainCode) bool { return c.code == body.Code })
		if i < 0 || egainCatalogue[i].status != rec.Code {
			t.Errorf("status %d with code %s: not an entry of the catalogue", rec.Code, body.Code)
		} else if body.Details != nil {
			for _, d := range *body.Details {
				if !slices.Contains(egainCatalogue[i].details, d.Key) {
					t.Errorf("code %s carries details key %q, which the catalogue does not list", body.Code, d.Key)
				}
			}
		}
	}
	checkFollowsSpec(t, req, rec)
}

// checkFollowsSpec checks a response against the spec of its operation: status, headers,
// media type and body.
func checkFollowsSpec(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if _, benchmark := t.(*testing.B); benchmark {
		return // benchmarks measure the service, not these checks
	}
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		return // a path or method of no operation
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		t.Errorf("%s %s: response %d does not follow the spec: %v", req.Method, req.URL.Path, rec.Code, err)
	}
}

// decodeWSError reads an eGain error body, JSON or XML by its Content-Type, refusing
// members WSError does not have. It reports with t.Errorf, so that goroutines of a test
// may call it (through harness.do).
func decodeWSError(t testing.TB, rec *httptest.ResponseRecorder) gen.WSError {
	t.Helper()
	var body gen.WSError
	switch ct := rec.Header().Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/json"):
		decoder := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		decoder.DisallowUnknownFields()
		if err := decoder.Decode(&body); err != nil {
			t.Errorf("error body is not a WSError: %v: %s", err, rec.Body)
		}
	case strings.HasPrefix(ct, "application/xml"):
		if err := unmarshalXML(bytes.NewReader(rec.Body.Bytes()), "WSError", &body); err != nil {
			t.Errorf("error body is not a WSError: %v: %s", err, rec.Body)
		}
	default:
		t.Errorf("error with Content-Type %q: %s", ct, rec.Body)
	}
	return body
}

// wsError decodes and checks an eGain error response: status, code, and messages with
// every placeholder filled.
func wsError(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) gen.WSError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	body := decodeWSError(t, rec)
	if body.Code != code {
		t.Fatalf("code %q, want %q (%s)", body.Code, code, body.DeveloperMessage)
	}
	messages := []string{body.DeveloperMessage}
	if body.UserMessage != nil {
		messages = append(messages, *body.UserMessage)
	}
	for _, msg := range messages {
		if msg == "" || strings.Contains(msg, "%!") || strings.Contains(msg, "<no value>") || strings.Contains(msg, "reason.") ||
			messageIDPattern.MatchString(msg) {
			t.Fatalf("message %q is empty or not rendered", msg)
		}
	}
	if body.Details != nil && len(*body.Details) > maxErrorDetails {
		t.Fatalf("%d details, at most %d allowed", len(*body.Details), maxErrorDetails)
	}
	return body
}

// messageIDPattern finds a message id in place of a message (customersNotFound.developer),
// which localize writes when a message is missing.
var messageIDPattern = regexp.MustCompile(`\b[A-Za-z]+\.(developer|user)\b`)

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

// statementsOf returns a function that runs a request, checks its status and returns the
// SQL statements the store ran for it.
func (h *harness) statementsOf(t *testing.T) func(r request, status int) []string {
	t.Helper()
	var (
		mu         sync.Mutex
		statements []string
	)
	if err := h.store.ObserveStatements(func(sql string) {
		mu.Lock()
		statements = append(statements, sql)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	return func(r request, status int) []string {
		t.Helper()
		mu.Lock()
		statements = nil
		mu.Unlock()
		if rec := h.do(r); rec.Code != status {
			t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
		}
		mu.Lock()
		defer mu.Unlock()
		return statements
	}
}
