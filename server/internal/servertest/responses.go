package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/httpapi"
)

// specRouter routes requests over the embedded spec, to validate responses.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	// The audit trail's export: each line one JSON value, the whole a string of the schema.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			if len(data) > 0 && !json.Valid(line) {
				return nil, fmt.Errorf("NDJSON line %d is not JSON", i+1)
			}
		}
		return string(data), nil
	})
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(spec)
})

// IsEgainPath tells whether eGain's family answers a request on path: eGain's own paths,
// and every path of no API.
func IsEgainPath(path string) bool {
	for _, other := range []string{"/oauth/", "/crmRestApi/", "/audit/"} {
		if strings.HasPrefix(path, other) {
			return false
		}
	}
	return true
}

// EgainCodesSeen records the code of every eGain error a response in this test binary
// carried, for the catalogue's coverage check.
var EgainCodesSeen sync.Map

// CheckEgainResponse checks what every eGain response must be: valid against the spec for
// its status and media type, with Content-Language and Vary, and an error only of the
// catalogue, whose code it records, and never stored by caches.
func CheckEgainResponse(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if !IsEgainPath(req.URL.Path) {
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
	if got := rec.Header().Get("Content-Language"); !slices.Contains(egain.Locales(), got) {
		t.Errorf("Content-Language %q is none of eGain's locales", got)
	}
	if rec.Code >= 400 && req.Method != http.MethodHead {
		body := DecodeWSError(t, rec)
		EgainCodesSeen.Store(body.Code, true)
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("error %s with Cache-Control %q, want no-store", body.Code, got)
		}
		status, detailKeys, ok := egain.CatalogueEntry(body.Code)
		if !ok || status != rec.Code {
			t.Errorf("status %d with code %s: not an entry of the catalogue", rec.Code, body.Code)
		} else if body.Details != nil {
			for _, d := range *body.Details {
				if !slices.Contains(detailKeys, d.Key) {
					t.Errorf("code %s carries details key %q, which the catalogue does not list", body.Code, d.Key)
				}
			}
		}
	}
	CheckFollowsSpec(t, req, rec)
}

// CheckFollowsSpec checks a response against the spec of its operation: status, headers,
// media type and body.
func CheckFollowsSpec(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
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

// DecodeWSError reads an eGain error body, JSON or XML by its Content-Type, refusing
// members WSError does not have. It reports with t.Errorf, so that goroutines of a test
// may call it (through Harness.Do).
func DecodeWSError(t testing.TB, rec *httptest.ResponseRecorder) gen.WSError {
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
		if err := egain.DecodeXMLDocument(bytes.NewReader(rec.Body.Bytes()), "WSError", &body); err != nil {
			t.Errorf("error body is not a WSError: %v: %s", err, rec.Body)
		}
	default:
		t.Errorf("error with Content-Type %q: %s", ct, rec.Body)
	}
	return body
}

// WSError decodes and checks an eGain error response: status, code, and messages with
// every placeholder filled.
func WSError(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) gen.WSError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	body := DecodeWSError(t, rec)
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
	if body.Details != nil && len(*body.Details) > egain.MaxErrorDetails {
		t.Fatalf("%d details, at most %d allowed", len(*body.Details), egain.MaxErrorDetails)
	}
	return body
}

// messageIDPattern finds a message id in place of a message (customersNotFound.developer),
// which the localizer writes when a message is missing.
var messageIDPattern = regexp.MustCompile(`\b[A-Za-z]+\.(developer|user)\b`)

// DetailValues returns the values of a details key.
func DetailValues(body gen.WSError, key string) []string {
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

// GrantBody builds an eGain create request body.
func GrantBody(on string, to ...string) string {
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

// GrantPath is eGain's create path.
const GrantPath = "/core/customermgr/v3/customer/grant"

// GrantsPath is eGain's path of one customer's grants.
func GrantsPath(id string) string { return "/core/customermgr/v3/customer/" + id + "/grants" }

// CustomerPath is a customer's own URL; OwnGrantsPath the signed-in customer's grants.
func CustomerPath(id string) string { return "/core/customermgr/v3/customer/" + id }

const OwnGrantsPath = "/core/customermgr/v3/customer/grants"

// GrantedCustomerPath is eGain's path of one grant.
func GrantedCustomerPath(on, grantee string) string {
	return "/core/customermgr/v3/customer/" + on + "/grantedcustomer/" + grantee
}
