package egain_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// With departmentalization on, a user gets the same answer for a customer of a department
// it does not work in (2000, department 20) as for a customer that does not exist (9999):
// 403-197 naming the id, in every operation and media type, so that the answer is no
// oracle of existence. The two ids have the same length, so the bodies must be equal byte
// for byte once each id is replaced by a placeholder.
func TestDepartmentRuleDoesNotRevealExistence(t *testing.T) {
	const outside, unknown = "2000", "9999"
	operations := []struct {
		name    string
		request func(h *servertest.Harness, id string) servertest.Request
	}{
		{"list grants", func(h *servertest.Harness, id string) servertest.Request {
			return servertest.Get(h.UserToken("homebody"), servertest.GrantsPath(id))
		}},
		{"create with the customer as grantee", func(h *servertest.Harness, id string) servertest.Request {
			return servertest.Post(h.UserToken("homebody"), servertest.GrantBody("1000", "1002", id))
		}},
		{"create on the customer", func(h *servertest.Harness, id string) servertest.Request {
			return servertest.Post(h.UserToken("homebody"), servertest.GrantBody(id, "1002"))
		}},
		{"delete the customer's grant", func(h *servertest.Harness, id string) servertest.Request {
			return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", id), Token: h.UserToken("homebody")}
		}},
		{"delete a grant on the customer", func(h *servertest.Harness, id string) servertest.Request {
			return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath(id, "1002"), Token: h.UserToken("homebody")}
		}},
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		for _, op := range operations {
			for _, accept := range []string{"application/json", "application/xml"} {
				answer := func(id string) string {
					rec := h.Do(op.request(h, id).With("Accept", accept))
					body := servertest.WSError(t, rec, http.StatusForbidden, "403-197")
					if got := servertest.DetailValues(body, "customerId"); len(got) != 1 || got[0] != id {
						t.Errorf("%s (%s) for %s: details customerId %v, want [%s]", op.name, accept, id, got, id)
					}
					return strings.ReplaceAll(rec.Body.String(), id, "{id}")
				}
				if a, b := answer(outside), answer(unknown); a != b {
					t.Errorf("%s (%s): a customer outside the user's departments and an unknown one are told apart:\n%s\n%s", op.name, accept, a, b)
				}
			}
		}
		if got := h.GrantPairs(); len(got) != 0 {
			t.Fatalf("stored grants %v, want none", got)
		}
	})
}

// Callers that may see every customer — client applications, and users when
// departmentalization is off — are told which customers do not exist.
func TestUnknownCustomersForCallersNotConfinedToDepartments(t *testing.T) {
	cases := []struct {
		name  string
		setup []string
		token func(h *servertest.Harness) string
		// codes for list, create and delete
		list, create, del string
	}{
		{name: "client application", token: func(h *servertest.Harness) string { return h.ClientToken("crm-sync") },
			list: "404-100", create: "400-301", del: "404-100"},
		{name: "user, departmentalization off", setup: []string{"settings: {customerDepartmentalization: false}"},
			token: func(h *servertest.Harness) string { return h.UserToken("homebody") },
			list:  "404-100", create: "400-301", del: "404-100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := servertest.New(t, dialect, tc.setup...)
				token := tc.token(h)
				servertest.WSError(t, h.Do(servertest.Get(token, servertest.GrantsPath("9999"))), http.StatusNotFound, tc.list)
				body := servertest.WSError(t, h.Do(servertest.Post(token, servertest.GrantBody("1000", "1002", "9999"))), http.StatusBadRequest, tc.create)
				if got := servertest.DetailValues(body, "customerId"); len(got) != 1 || got[0] != "9999" {
					t.Errorf("create: details customerId %v, want [9999]", got)
				}
				servertest.WSError(t, h.Do(servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "9999"), Token: token}),
					http.StatusNotFound, tc.del)
			})
		})
	}
}
