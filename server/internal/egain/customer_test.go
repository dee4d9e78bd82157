package egain_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// customerWithoutDepartment is a customer of no department, which only callers that see
// every customer see with departmentalization on.
const customerWithoutDepartment = `customers: [{id: "4000", name: Nobody Inparticular, type: organization}]`

func TestGetCustomer(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, customerWithoutDepartment)
		for _, tc := range []struct {
			name, token, id, accept, want string
		}{
			{"user, JSON", h.UserToken("viewer"), "1000", jsonType,
				`{"id":"1000","customerName":"Jane Roe","type":"individual","department":{"id":"10","name":"Retail"},"link":[{"rel":"self","href":"/core/customermgr/v3/customer/1000"}]}`},
			{"user in a foreign department, JSON", h.UserToken("viewer"), "2001", jsonType,
				`{"id":"2001","customerName":"Max Mustermann","type":"individual","department":{"id":"20","name":"Wholesale"},"link":[{"rel":"self","href":"/core/customermgr/v3/customer/2001"}]}`},
			{"client, organization without department, JSON", h.ClientToken("crm-sync"), "4000", jsonType,
				`{"id":"4000","customerName":"Nobody Inparticular","type":"organization","link":[{"rel":"self","href":"/core/customermgr/v3/customer/4000"}]}`},
			{"user, XML", h.UserToken("viewer"), "1000", xmlType,
				`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<customer xmlns="` + egainNamespace + `" id="1000"><customerName>Jane Roe</customerName><type>individual</type><department id="10"><name>Retail</name></department><link rel="self" href="/core/customermgr/v3/customer/1000"></link></customer>`},
			{"client, without department, XML", h.ClientToken("crm-sync"), "4000", xmlType,
				`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<customer xmlns="` + egainNamespace + `" id="4000"><customerName>Nobody Inparticular</customerName><type>organization</type><link rel="self" href="/core/customermgr/v3/customer/4000"></link></customer>`},
		} {
			r := servertest.Get(tc.token, servertest.CustomerPath(tc.id))
			r.Headers = map[string]string{"Accept": tc.accept}
			rec := h.Do(r)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d: %s", tc.name, rec.Code, rec.Body)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tc.want {
				t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.accept) {
				t.Errorf("%s: Content-Type %s", tc.name, got)
			}
		}
	})
}

func TestGetCustomerRules(t *testing.T) {
	get := func(token func(h *servertest.Harness) string, id string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Get(token(h), servertest.CustomerPath(id))
		}
	}
	user := func(login string) func(h *servertest.Harness) string {
		return func(h *servertest.Harness) string { return h.UserToken(login) }
	}
	client := func(id string) func(h *servertest.Harness) string {
		return func(h *servertest.Harness) string { return h.ClientToken(id) }
	}
	off := "settings: {customerDepartmentalization: false}"
	runRuleCases(t, seedGrants, seededGrants, inBothFormats([]ruleCase{
		{name: "user with View Agent Console", status: 200, request: get(user("viewer"), "1000")},
		{name: "user in a foreign department", status: 200, request: get(user("viewer"), "2000")},
		{name: "API client", status: 200, request: get(client("crm-sync"), "3000")},
		{name: "organization", status: 200, request: get(client("crm-sync"), "1500")},
		{name: "unknown customer, to a client", status: 404, code: "404-100", request: get(client("crm-sync"), "9999")},
		{name: "unknown customer, departmentalization off", status: 404, code: "404-100", setup: []string{off}, request: get(user("viewer"), "9999")},
		{name: "unknown customer, to a user, is outside its departments", status: 403, code: "403-197", request: get(user("viewer"), "9999")},
		{name: "customer of another department", status: 403, code: "403-197", request: get(user("homebody"), "2000")},
		{name: "customer of another department, departmentalization off", status: 200, setup: []string{off}, request: get(user("homebody"), "2000")},
		{name: "customer without department, to a user", status: 403, code: "403-197", setup: []string{customerWithoutDepartment}, request: get(user("viewer"), "4000")},
		{name: "user without View Agent Console", status: 403, code: "403-178", request: get(user("editor"), "1000")},
		{name: "vanished user", status: 401, code: "401-101", request: get(user("ghost"), "1000")},
		{name: "client application not of type API", status: 403, code: "403-105", request: get(client("portal"), "1000")},
		{name: "token with only the manage scope", status: 403, code: "403-105", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(h.Token(auth.PrincipalUser, "viewer", "core.customermgr.manage"), servertest.CustomerPath("1000"))
		}},
		{name: "customer token, even its own", status: 403, code: "403-105", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(h.CustomerToken("1002"), servertest.CustomerPath("1002"))
		}},
		{name: "no token", status: 401, code: "401-104", request: get(func(*servertest.Harness) string { return "" }, "1000")},
		{name: "id not made of digits", status: 400, code: "400-196", request: get(user("viewer"), "abc")},
		{name: "id written with a leading zero", status: 400, code: "400-196", request: get(user("viewer"), "01000")},
		{name: "unsupported query parameter", status: 400, code: "400-101", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(h.UserToken("viewer"), servertest.CustomerPath("1000")+"?fields=all")
		}},
		{name: "method not allowed", status: 405, code: "405-100", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Request{Method: http.MethodDelete, Path: servertest.CustomerPath("1000"), Token: h.ClientToken("crm-sync")}
		}},
	}))
}

// TestCustomerReadsInEveryLocale: the new operations' errors come in each of the 15 locales,
// JSON and XML, with the same code.
func TestCustomerReadsInEveryLocale(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		for _, tc := range []struct {
			request servertest.Request
			status  int
			code    string
		}{
			{servertest.Get(h.ClientToken("crm-sync"), servertest.CustomerPath("9999")), 404, "404-100"},
			{servertest.Get(h.UserToken("homebody"), servertest.CustomerPath("2000")), 403, "403-197"},
			{servertest.Get(h.UserToken("viewer"), servertest.OwnGrantsPath), 403, "403-105"},
			{servertest.Get(h.CustomerToken("1002"), servertest.GrantsPath("1002")), 403, "403-105"},
		} {
			english := ""
			for _, locale := range egain.Locales() {
				for _, mediaType := range []string{jsonType, xmlType} {
					r := tc.request
					r.Headers = map[string]string{"Accept-Language": locale, "X-egain-error-message": "yes", "Accept": mediaType}
					rec := h.Do(r)
					body := servertest.WSError(t, rec, tc.status, tc.code)
					if got := rec.Header().Get("Content-Language"); got != locale {
						t.Errorf("%s %s: Content-Language %s", tc.request.Path, locale, got)
					}
					if body.UserMessage == nil {
						t.Errorf("%s %s: no userMessage", tc.request.Path, locale)
					}
					if locale == "en-US" {
						english = body.DeveloperMessage
					} else if body.DeveloperMessage == english {
						t.Errorf("%s %s: message in English: %q", tc.request.Path, locale, body.DeveloperMessage)
					}
				}
			}
		}
	})
}

// TestGetCustomerGrantsContext: a signed-in customer reads its own grants in both
// directions, byte for byte what the per-customer list answers for it, JSON and XML.
func TestGetCustomerGrantsContext(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		seedGrants(t, h)
		for _, mediaType := range []string{jsonType, xmlType} {
			own := servertest.Get(h.CustomerToken("1002"), servertest.OwnGrantsPath)
			own.Headers = map[string]string{"Accept": mediaType}
			perCustomer := servertest.Get(h.ClientToken("crm-sync"), servertest.GrantsPath("1002"))
			perCustomer.Headers = map[string]string{"Accept": mediaType}
			got, want := h.Do(own), h.Do(perCustomer)
			if got.Code != http.StatusOK || want.Code != http.StatusOK {
				t.Fatalf("%s: status %d and %d: %s", mediaType, got.Code, want.Code, got.Body)
			}
			if got.Body.String() != want.Body.String() || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("%s: own grants\n%s\nper-customer list\n%s", mediaType, got.Body, want.Body)
			}
			if !strings.Contains(got.Body.String(), `"1000"`) && !strings.Contains(got.Body.String(), `id="1000"`) {
				t.Errorf("%s: 1002's grants miss 1000: %s", mediaType, got.Body)
			}
		}
	})
}

func TestGetCustomerGrantsContextRules(t *testing.T) {
	own := func(token func(h *servertest.Harness) string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Get(token(h), servertest.OwnGrantsPath)
		}
	}
	customer := func(id string) func(h *servertest.Harness) string {
		return func(h *servertest.Harness) string { return h.CustomerToken(id) }
	}
	runRuleCases(t, seedGrants, seededGrants, inBothFormats([]ruleCase{
		{name: "customer with grants", status: 200, request: own(customer("1002"))},
		{name: "customer without grants", status: 204, request: own(customer("3000"))},
		{name: "customer the seed does not let sign in", status: 401, code: "401-101", request: own(customer("1000"))},
		{name: "customer no longer allowed to sign in", status: 401, code: "401-101",
			setup:   []string{`customers: [{id: "1002", name: John Doe, type: individual, department: 10, canSignIn: false}]`},
			request: own(customer("1002"))},
		{name: "unknown customer", status: 401, code: "401-101", request: own(customer("9999"))},
		{name: "customer id not written canonically", status: 401, code: "401-101", request: own(customer("01002"))},
		{name: "customer id not a number", status: 401, code: "401-101", request: own(customer("john"))},
		{name: "user token", status: 403, code: "403-105", request: own(func(h *servertest.Harness) string { return h.UserToken("viewer") })},
		{name: "client token", status: 403, code: "403-105", request: own(func(h *servertest.Harness) string { return h.ClientToken("crm-sync") })},
		{name: "customer token without the scope", status: 403, code: "403-105",
			request: own(func(h *servertest.Harness) string {
				return h.Token(auth.PrincipalCustomer, "1002", "core.customermgr.manage")
			})},
		{name: "no token", status: 401, code: "401-104", request: own(func(*servertest.Harness) string { return "" })},
		{name: "unsupported query parameter", status: 400, code: "400-101", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(h.CustomerToken("1002"), servertest.OwnGrantsPath+"?id=1000")
		}},
		{name: "method not allowed", status: 405, code: "405-100", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Request{Method: http.MethodDelete, Path: servertest.OwnGrantsPath, Token: h.CustomerToken("1002")}
		}},
		// Every write refuses a customer token and writes nothing.
		{name: "customer creates grants", status: 403, code: "403-105", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Post(h.CustomerToken("1002"), servertest.GrantBody("1002", "1020"))
		}},
		{name: "customer removes its own grant", status: 403, code: "403-105", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1002", "1000"), Token: h.CustomerToken("1002")}
		}},
		{name: "customer lists its grants by id", status: 403, code: "403-105", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get(h.CustomerToken("1002"), servertest.GrantsPath("1002"))
		}},
	}))
}

// TestCustomerSeesItsGrantsWhole: departmentalization confines users, not the customer;
// a grant across departments (made while it was off) is in the customer's own list.
func TestCustomerSeesItsGrantsWhole(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, "settings: {customerDepartmentalization: false}")
		if rec := h.Do(servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("3000", "1002"))); rec.Code != http.StatusCreated {
			t.Fatalf("grant: %d %s", rec.Code, rec.Body)
		}
		servertest.LoadFixture(t, h.Store, "settings: {customerDepartmentalization: true}")
		rec := h.Do(servertest.Get(h.CustomerToken("1002"), servertest.OwnGrantsPath))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id":"3000"`) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		// The granted-on customer, 3000, may sign in too and sees the grant from its side.
		rec = h.Do(servertest.Get(h.CustomerToken("3000"), servertest.OwnGrantsPath))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"grantsTo":{"customer":[{"id":"1002"`) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
