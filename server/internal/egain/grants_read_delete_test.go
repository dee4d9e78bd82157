package egain_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// seededGrants are the grants seedGrants stores.
var seededGrants = []string{"1000>1002", "1000>1020", "1002>1000", "2000>2001"}

// seedGrants stores grants 1000→1002, 1000→1020 and 1002→1000 (granted-on→grantee),
// and 2000→2001 in department 20.
func seedGrants(t *testing.T, h *servertest.Harness) {
	t.Helper()
	token := h.ClientToken("crm-sync")
	for _, body := range []string{servertest.GrantBody("1000", "1002", "1020"), servertest.GrantBody("1002", "1000"), servertest.GrantBody("2000", "2001")} {
		if rec := h.Do(servertest.Post(token, body)); rec.Code != http.StatusCreated {
			t.Fatalf("seed grants: status %d: %s", rec.Code, rec.Body)
		}
	}
}

func TestListCustomerGrants(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		seedGrants(t, h)
		rec := h.Do(servertest.Get(h.UserToken("viewer"), servertest.GrantsPath("1000")))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var got gen.CustomerGrants
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		entry := func(id, name string) gen.GrantedCustomer {
			return gen.GrantedCustomer{Id: id, CustomerName: name,
				Link: []gen.Link{{Rel: "customer", Href: "/core/customermgr/v3/customer/" + id}}}
		}
		want := gen.CustomerGrants{
			GrantsOn: &gen.GrantedCustomerList{Customer: []gen.GrantedCustomer{entry("1002", "John Doe")}},
			GrantsTo: &gen.GrantedCustomerList{Customer: []gen.GrantedCustomer{entry("1002", "John Doe"), entry("1020", "Mary Major")}},
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Fatalf("grants of 1000:\n got %s\nwant %s", gotJSON, wantJSON)
		}

		// A grantee only: grantsTo is absent.
		rec = h.Do(servertest.Get(h.ClientToken("crm-sync"), servertest.GrantsPath("1020")))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		got = gen.CustomerGrants{}
		_ = json.Unmarshal(rec.Body.Bytes(), &got)
		if got.GrantsTo != nil || got.GrantsOn == nil || len(got.GrantsOn.Customer) != 1 || got.GrantsOn.Customer[0].Id != "1000" {
			t.Fatalf("grants of 1020: %s", rec.Body)
		}
	})
}

func TestListCustomerGrantsRules(t *testing.T) {
	list := func(token func(h *servertest.Harness) string, id string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Get(token(h), servertest.GrantsPath(id))
		}
	}
	user := func(login string) func(h *servertest.Harness) string {
		return func(h *servertest.Harness) string { return h.UserToken(login) }
	}
	runRuleCases(t, seedGrants, seededGrants, []ruleCase{
		{name: "user with View Agent Console", status: 200, request: list(user("viewer"), "1000")},
		{name: "user in a foreign department", status: 200, request: list(user("viewer"), "2000")},
		{name: "API client", status: 200, request: list(func(h *servertest.Harness) string { return h.ClientToken("crm-sync") }, "2000")},
		{name: "customer without grants", status: 204, request: list(func(h *servertest.Harness) string { return h.ClientToken("crm-sync") }, "3000")},
		{name: "unknown customer", status: 404, code: "404-100", request: list(func(h *servertest.Harness) string { return h.ClientToken("crm-sync") }, "9999")},
		{name: "unknown customer, departmentalization off", status: 404, code: "404-100", setup: []string{"settings: {customerDepartmentalization: false}"},
			request: list(user("viewer"), "9999")},
		{name: "unknown customer, to a user, is outside its departments", status: 403, code: "403-197", request: list(user("viewer"), "9999")},
		{name: "id not made of digits", status: 400, code: "400-196", request: list(user("viewer"), "abc")},
		{name: "no token", status: 401, code: "401-104", request: func(h *servertest.Harness) servertest.Request {
			return servertest.Get("", servertest.GrantsPath("1000"))
		}},
		{name: "user without View Agent Console", status: 403, code: "403-178", request: list(user("editor"), "1000")},
		{name: "user outside the customer's department", status: 403, code: "403-197", request: list(user("homebody"), "2000")},
		{name: "departmentalization off", status: 200, setup: []string{"settings: {customerDepartmentalization: false}"},
			request: list(user("homebody"), "2000")},
		{name: "token with only the manage scope", status: 403, code: "403-105",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.Token(auth.PrincipalUser, "viewer", "core.customermgr.manage"), servertest.GrantsPath("1000"))
			}},
		{name: "client application not of type API", status: 403, code: "403-105",
			request: list(func(h *servertest.Harness) string { return h.ClientToken("portal") }, "1000")},
		{name: "unsupported query parameter", status: 400, code: "400-101",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Get(h.UserToken("viewer"), servertest.GrantsPath("1000")+"?expand=all&a=1")
			}},
	})
}

func TestDeleteCustomerGrantRules(t *testing.T) {
	del := func(token func(h *servertest.Harness) string, on, grantee string) func(h *servertest.Harness) servertest.Request {
		return func(h *servertest.Harness) servertest.Request {
			return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath(on, grantee), Token: token(h)}
		}
	}
	user := func(login string) func(h *servertest.Harness) string {
		return func(h *servertest.Harness) string { return h.UserToken(login) }
	}
	runRuleCases(t, seedGrants, seededGrants, []ruleCase{
		{name: "user with Edit Customer removes a grant", status: 204, request: del(user("agent"), "1000", "1002"),
			after: []string{"1000>1020", "1002>1000", "2000>2001"}},
		{name: "API client removes a grant", status: 204, request: del(func(h *servertest.Harness) string { return h.ClientToken("crm-sync") }, "2000", "2001"),
			after: []string{"1000>1002", "1000>1020", "1002>1000"}},
		{name: "no such grant", status: 404, code: "404-102", request: del(user("agent"), "1020", "1000")},
		{name: "unknown customer", status: 404, code: "404-100", request: del(func(h *servertest.Harness) string { return h.ClientToken("crm-sync") }, "1000", "9999")},
		{name: "unknown customer, departmentalization off", status: 404, code: "404-100", setup: []string{"settings: {customerDepartmentalization: false}"},
			request: del(user("agent"), "1000", "9999")},
		{name: "unknown customer, to a user, is outside its departments", status: 403, code: "403-197", request: del(user("agent"), "1000", "9999")},
		{name: "id not made of digits", status: 400, code: "400-196", request: del(user("agent"), "1000", "x1")},
		{name: "user without Edit Customer", status: 403, code: "403-178", request: del(user("viewer"), "1000", "1002")},
		{name: "user outside the customers' department", status: 403, code: "403-197", request: del(user("homebody"), "2000", "2001")},
		{name: "read-only token", status: 403, code: "403-105",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "1002"), Token: h.Token(auth.PrincipalUser, "agent", "core.customermgr.read")}
			}},
		{name: "request body", status: 400, code: "400-203",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "1002"), Token: h.UserToken("agent"), Body: `{}`}
			}},
		{name: "no token", status: 401, code: "401-104", request: del(func(*servertest.Harness) string { return "" }, "1000", "1002")},
	})
}

// Grants made before departmentalization was turned on may reach other departments: a user
// lists only the customers of its own.
func TestListCustomerGrantsHidesOtherDepartments(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, "settings: {customerDepartmentalization: false}")
		if rec := h.Do(servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("1000", "1002", "2000"))); rec.Code != http.StatusCreated {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		servertest.LoadFixture(t, h.Store, "settings: {customerDepartmentalization: true}")
		list := func(token string) string {
			rec := h.Do(servertest.Get(token, servertest.GrantsPath("1000")))
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var got gen.CustomerGrants
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got.GrantsTo.Customer {
				ids = append(ids, c.Id)
			}
			return strings.Join(ids, ",")
		}
		if got := list(h.UserToken("homebody")); got != "1002" {
			t.Errorf("homebody (department 10) sees %s, want 1002", got)
		}
		if got := list(h.UserToken("viewer")); got != "1002,2000" {
			t.Errorf("viewer (departments 10 and 20) sees %s, want 1002,2000", got)
		}
		if got := list(h.ClientToken("crm-sync")); got != "1002,2000" {
			t.Errorf("an API client sees %s, want 1002,2000", got)
		}
	})
}
