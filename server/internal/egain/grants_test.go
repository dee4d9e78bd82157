package egain_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// A rule test: a request against servertest.BaseFixture (plus setup) and the response it must get.
type ruleCase struct {
	name    string
	setup   []string // extra fixtures
	request func(h *servertest.Harness) servertest.Request
	status  int
	code    string // eGain error code, for error responses
	// after lists the grants stored once the request is done; nil means the runner's default.
	after []string
	// accept, when set, is sent as the Accept header, and a response with a body must be of
	// that media type.
	accept string
}

// inBothFormats runs each case as written (JSON) and again asking for XML.
func inBothFormats(cases []ruleCase) []ruleCase {
	all := slices.Clone(cases)
	for _, c := range cases {
		c.name += " (XML)"
		c.accept = "application/xml"
		all = append(all, c)
	}
	return all
}

// runRuleCases runs each case on a fresh database per dialect, prepared by prepare (when
// not nil), and checks the response and the grants stored afterwards (unchanged is
// unchangedAfter unless the case says otherwise).
func runRuleCases(t *testing.T, prepare func(t *testing.T, h *servertest.Harness), unchangedAfter []string, cases []ruleCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := servertest.New(t, dialect, tc.setup...)
				if prepare != nil {
					prepare(t, h)
				}
				r := tc.request(h)
				if tc.accept != "" {
					r = r.With("Accept", tc.accept)
				}
				rec := h.Do(r)
				if ct := rec.Header().Get("Content-Type"); tc.accept != "" && rec.Body.Len() > 0 && !strings.HasPrefix(ct, tc.accept) {
					t.Fatalf("Content-Type %q, want %s: %s", ct, tc.accept, rec.Body)
				}
				if tc.code != "" {
					servertest.WSError(t, rec, tc.status, tc.code)
				} else if rec.Code != tc.status {
					t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
				}
				after := tc.after
				if after == nil {
					after = unchangedAfter
				}
				if got := h.GrantPairs(); !slices.Equal(got, after) {
					t.Fatalf("stored grants %v, want %v", got, after)
				}
			})
		})
	}
}

func TestCreateCustomerGrantsRules(t *testing.T) {
	departmentalizationOff := "settings: {customerDepartmentalization: false}"
	runRuleCases(t, nil, nil, []ruleCase{
		{name: "user with Edit Customer creates grants", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "1020"))
			},
			after: []string{"1000>1002", "1000>1020"}},
		{name: "API client creates grants", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("2000", "2001"))
			},
			after: []string{"2000>2001"}},
		{name: "user in a foreign department creates grants there", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("2001", "2000"))
			},
			after: []string{"2001>2000"}},
		{name: "departmentalization off allows customers of several departments", status: http.StatusCreated,
			setup: []string{departmentalizationOff},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("homebody"), servertest.GrantBody("1000", "2000", "3000"))
			},
			after: []string{"1000>2000", "1000>3000"}},
		{name: "no Authorization header", status: 401, code: "401-104",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post("", servertest.GrantBody("1000", "1002"))
			}},
		{name: "Authorization header not a bearer token", status: 401, code: "401-104",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post("", servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Authorization": "Basic YWxpY2U6c2VjcmV0"}
				return r
			}},
		{name: "token signed with another secret", status: 401, code: "401-101",
			request: func(h *servertest.Harness) servertest.Request {
				other, _ := auth.NewTokens([]byte(strings.Repeat("x", 40)))
				token, _ := other.Issue(auth.PrincipalUser, "agent", []string{"core.customermgr.manage"}, time.Hour)
				return servertest.Post(token, servertest.GrantBody("1000", "1002"))
			}},
		{name: "expired token", status: 401, code: "401-101",
			request: func(h *servertest.Harness) servertest.Request {
				past, _ := auth.NewTokens(servertest.Secret)
				past.SetClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })
				token, _ := past.Issue(auth.PrincipalUser, "agent", []string{"core.customermgr.manage"}, time.Hour)
				return servertest.Post(token, servertest.GrantBody("1000", "1002"))
			}},
		{name: "token of a user no longer in the database", status: 401, code: "401-101",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("ghost"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "user token with only the read scope", status: 403, code: "403-105",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.Token(auth.PrincipalUser, "agent", "core.customermgr.read"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "user token carrying only application scopes", status: 403, code: "403-105",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.Token(auth.PrincipalUser, "agent", "app.core.customermgr.manage"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "client application not of type API", status: 403, code: "403-105",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("portal"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "user without Edit Customer", status: 403, code: "403-178",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("viewer"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "user outside a customer's department", status: 403, code: "403-197",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("homebody"), servertest.GrantBody("2000", "2001"))
			}},
		{name: "a user outside a department learns nothing of missing customers", status: 403, code: "403-197",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("homebody"), servertest.GrantBody("2000", "9999"))
			}},
		{name: "customers without a department, departmentalization on, by an API client", status: http.StatusCreated,
			setup: []string{`customers: [{id: "4000", name: No Dept, type: individual}, {id: "4001", name: No Dept Either, type: individual}]`},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("4000", "4001"))
			},
			after: []string{"4000>4001"}},
		{name: "a customer without a department is outside every user's departments", status: 403, code: "403-197",
			setup: []string{`customers: [{id: "4000", name: No Dept, type: individual}]`},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "4000"))
			}},
		{name: "a customer with and one without a department", status: 400, code: "400-304",
			setup: []string{`customers: [{id: "4000", name: No Dept, type: individual}]`},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("1000", "4000"))
			}},
		{name: "customers of different departments", status: 400, code: "400-304",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("1000", "1002", "2000"))
			}},
		{name: "grant on itself", status: 400, code: "400-302",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "1000"))
			}},
		{name: "unknown grantee", status: 400, code: "400-301",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("1000", "1002", "9999"))
			}},
		{name: "unknown granted-on customer", status: 400, code: "400-301",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("9999", "1002"))
			}},
		{name: "unknown grantee, departmentalization off", status: 400, code: "400-301",
			setup: []string{departmentalizationOff},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "9999"))
			}},
		{name: "unknown grantee, to a user, is outside its departments", status: 403, code: "403-197",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "9999"))
			}},
		{name: "unknown granted-on customer, to a user, is outside its departments", status: 403, code: "403-197",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("9999", "1002"))
			}},
		{name: "organization grantee", status: 400, code: "400-303",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "1500"))
			}},
		{name: "organization granted-on customer", status: 400, code: "400-303",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1500", "1002"))
			}},
		{name: "76 grantees", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", servertest.IDRange(5000, 76)...))
			}},
		{name: "no grantee", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000"))
			}},
		{name: "two granted-on customers", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":{"customer":[{"id":"1000"},{"id":"1002"}]},"grantsTo":{"customer":[{"id":"1020"}]}}`)
			}},
		{name: "same grantee twice", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "1002"))
			}},
		{name: "id not made of digits", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "10a2"))
			}},
		{name: "id with a leading zero", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "01002"))
			}},
		{name: "id as a number", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":{"customer":[{"id":1000}]},"grantsTo":{"customer":[{"id":"1002"}]}}`)
			}},
		{name: "unknown attribute", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002"}]},"note":"x"}`)
			}},
		{name: "grantsTo missing", status: 400, code: "400-152",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":{"customer":[{"id":"1000"}]}}`)
			}},
		{name: "no body", status: 400, code: "400-201",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Request{Method: http.MethodPost, Path: servertest.GrantPath, Token: h.UserToken("agent"),
					Headers: map[string]string{"Content-Type": "application/json"}}
			}},
		{name: "malformed JSON", status: 400, code: "400-202",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":`)
			}},
		{name: "body not JSON", status: 415, code: "415-100",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Content-Type": "text/plain"}
				return r
			}},
		{name: "form-encoded body", status: 415, code: "415-100",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), "grantsOn=1000")
				r.Headers = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
				return r
			}},
		{name: "body too large", status: 413, code: "413-100",
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":{"customer":[{"id":"1000"}]},"pad":"`+strings.Repeat("x", 70_000)+`"}`)
			}},
		{name: "unsupported query parameter", status: 400, code: "400-101",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Path += "?x=1"
				return r
			}},
		{name: "Accept that JSON cannot satisfy", status: 406, code: "406-101",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept": "text/html, application/json;q=0"}
				return r
			}},
		{name: "Accept refusing JSON and XML by name, admitting everything else", status: 406, code: "406-101",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept": "application/json;q=0, application/xml;q=0, */*"}
				return r
			}},
		{name: "Accept with q-values admitting JSON", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept": "text/html;q=0.9, application/*;q=0.5"}
				return r
			},
			after: []string{"1000>1002"}},
		{name: "Accept-Language outside eGain's locales gets the default", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept-Language": "xx-YY"}
				return r
			},
			after: []string{"1000>1002"}},
		{name: "Accept-Language without a well-formed entry", status: 406, code: "406-100",
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept-Language": "en-US;q=2, fr_;x=1"}
				return r
			}},
		{name: "Accept-Language among eGain's locales", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept-Language": "fr-FR"}
				return r
			},
			after: []string{"1000>1002"}},
	})
}

func TestCreateCustomerGrantsResponse(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		rec := h.Do(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "1020")))
		if rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Location"); got != "/core/customermgr/v3/customer/1000/grants" {
			t.Errorf("Location %q", got)
		}
		if rec.Body.Len() != 0 {
			t.Errorf("body %q, want none", rec.Body)
		}
	})
}

func TestCreateCustomerGrantsIsIdempotent(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		token := h.UserToken("agent")
		for range 2 {
			if rec := h.Do(servertest.Post(token, servertest.GrantBody("1000", "1002"))); rec.Code != http.StatusCreated {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		// A request repeating one pair and adding another keeps the first and adds the second.
		if rec := h.Do(servertest.Post(token, servertest.GrantBody("1000", "1002", "1020"))); rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if got, want := h.GrantPairs(), []string{"1000>1002", "1000>1020"}; !slices.Equal(got, want) {
			t.Fatalf("grants %v, want %v", got, want)
		}
	})
}

func TestCreateCustomerGrantsLimits(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ManyCustomers(5000, 160))
		token := h.ClientToken("crm-sync")

		// 1000 reaches 75 holders in two requests; one more is refused whole.
		if rec := h.Do(servertest.Post(token, servertest.GrantBody("1000", servertest.IDRange(5000, 75)[:40]...))); rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec := h.Do(servertest.Post(token, servertest.GrantBody("1000", servertest.IDRange(5040, 35)...))); rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		before := h.GrantPairs()
		if len(before) != 75 {
			t.Fatalf("%d grants, want 75", len(before))
		}
		body := servertest.WSError(t, h.Do(servertest.Post(token, servertest.GrantBody("1000", "5075"))), 400, "400-306")
		if got := servertest.DetailValues(body, "customerId"); !slices.Equal(got, []string{"1000"}) {
			t.Errorf("details %v", got)
		}
		// Repeating existing pairs adds nothing, so it stays within the limit.
		if rec := h.Do(servertest.Post(token, servertest.GrantBody("1000", "5000", "5001"))); rec.Code != http.StatusCreated {
			t.Fatalf("repeat: status %d: %s", rec.Code, rec.Body)
		}

		// 5100 holds grants on 75 customers; a 76th is refused, naming it, and nothing is written.
		for _, on := range servertest.IDRange(5001, 75) {
			if rec := h.Do(servertest.Post(token, servertest.GrantBody(on, "5100"))); rec.Code != http.StatusCreated {
				t.Fatalf("grant on %s: status %d: %s", on, rec.Code, rec.Body)
			}
		}
		before = h.GrantPairs()
		body = servertest.WSError(t, h.Do(servertest.Post(token, servertest.GrantBody("1002", "5101", "5100"))), 400, "400-305")
		if got := servertest.DetailValues(body, "customerId"); !slices.Equal(got, []string{"5100"}) {
			t.Errorf("details %v", got)
		}
		if after := h.GrantPairs(); !slices.Equal(after, before) {
			t.Fatalf("a refused request wrote %d grants", len(after)-len(before))
		}
	})
}

func TestUserMessageOnlyOnRequest(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		for _, tc := range []struct {
			header string
			want   bool
		}{{"", false}, {"no", false}, {"yes", true}, {"YES", true}, {"Yes", true}, {"true", false}, {"maybe", false}} {
			r := servertest.Post(h.UserToken("viewer"), servertest.GrantBody("1000", "1002"))
			if tc.header != "" {
				r.Headers = map[string]string{"X-egain-error-message": tc.header}
			}
			body := servertest.WSError(t, h.Do(r), 403, "403-178")
			if (body.UserMessage != nil) != tc.want {
				t.Errorf("X-egain-error-message %q: userMessage %v, want present=%v", tc.header, body.UserMessage, tc.want)
			}
			if got := servertest.DetailValues(body, "action"); !slices.Equal(got, []string{"Edit Customer"}) {
				t.Errorf("details %v", got)
			}
			// Errors written by the error handler, before any handler runs, follow the same rule.
			r.Token = ""
			body = servertest.WSError(t, h.Do(r), 401, "401-104")
			if (body.UserMessage != nil) != tc.want {
				t.Errorf("401 with X-egain-error-message %q: userMessage %v", tc.header, body.UserMessage)
			}
			// Any value is accepted: it only asks for a userMessage or not.
			r = servertest.Get(h.UserToken("viewer"), servertest.GrantsPath("1000"))
			r.Headers = map[string]string{"X-egain-error-message": tc.header}
			if rec := h.Do(r); rec.Code != 204 {
				t.Errorf("X-egain-error-message %q: status %d: %s", tc.header, rec.Code, rec.Body)
			}
		}
	})
}
