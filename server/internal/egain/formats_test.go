package egain_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

const (
	jsonType = "application/json"
	xmlType  = "application/xml"
)

// postAs posts a body of the media type, asking for a response of the same type.
func postAs(mediaType, token, body string) servertest.Request {
	r := servertest.Post(token, body)
	r.Headers = map[string]string{"Content-Type": mediaType, "Accept": mediaType, "X-egain-error-message": "yes"}
	return r
}

// TestJSONAndXMLRequestsAgree sends pairs of JSON and XML requests that mean the same thing,
// each to a fresh database, and expects the same status, the same stored grants and
// equivalent responses: the same WSError, message for message, in either format.
func TestJSONAndXMLRequestsAgree(t *testing.T) {
	customers := func(ids ...string) string {
		var b strings.Builder
		for _, id := range ids {
			b.WriteString(`<customer id="` + id + `"/>`)
		}
		return b.String()
	}
	on1000 := `<grantsOn>` + customers("1000") + `</grantsOn>`
	cases := []struct {
		name      string
		json, xml string
		user      string
		client    string // a client application's id: it sends the requests instead of user
		status    int
		code      string
		after     []string
	}{
		{name: "two grantees", json: servertest.GrantBody("1000", "1002", "1020"), xml: xmlGrantBody("1000", "1002", "1020"),
			status: 201, after: []string{"1000>1002", "1000>1020"}},
		{name: "members in another order, pretty-printed, with comments",
			json: `{"grantsTo":{"customer":[{"id":"1002"}]},"grantsOn":{"customer":[{"id":"1000"}]}}`,
			xml: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- grants -->\n" +
				xmlGrants("\n  <grantsTo>\n    <customer id=\"1002\"/>\n  </grantsTo>\n  <grantsOn><!-- on -->"+customers("1000")+"</grantsOn>\n"),
			status: 201, after: []string{"1000>1002"}},
		{name: "76 grantees", json: servertest.GrantBody("1000", servertest.IDRange(5000, 76)...), xml: xmlGrantBody("1000", servertest.IDRange(5000, 76)...),
			status: 400, code: "400-152"},
		{name: "no grantee", json: `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{}}`, xml: xmlGrants(on1000 + `<grantsTo/>`),
			status: 400, code: "400-152"},
		{name: "grantsTo missing", json: `{"grantsOn":{"customer":[{"id":"1000"}]}}`, xml: xmlGrants(on1000),
			status: 400, code: "400-152"},
		{name: "two granted-on customers", json: `{"grantsOn":{"customer":[{"id":"1000"},{"id":"1002"}]},"grantsTo":{"customer":[{"id":"1020"}]}}`,
			xml:    xmlGrants(`<grantsOn>` + customers("1000", "1002") + `</grantsOn><grantsTo>` + customers("1020") + `</grantsTo>`),
			status: 400, code: "400-152"},
		{name: "same grantee twice", json: servertest.GrantBody("1000", "1002", "1002"), xml: xmlGrantBody("1000", "1002", "1002"),
			status: 400, code: "400-152"},
		{name: "id not made of digits", json: servertest.GrantBody("1000", "10a2"), xml: xmlGrantBody("1000", "10a2"),
			status: 400, code: "400-152"},
		{name: "id too long", json: servertest.GrantBody("1000", strings.Repeat("9", 19)), xml: xmlGrantBody("1000", strings.Repeat("9", 19)),
			status: 400, code: "400-152"},
		{name: "unknown member of the root", json: `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002"}]},"note":"x"}`,
			xml: xmlGrants(on1000 + `<grantsTo>` + customers("1002") + `</grantsTo><note>x</note>`), status: 400, code: "400-152"},
		{name: "unknown member of a customer", json: `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{"id":"1002","type":"x"}]}}`,
			xml: xmlGrants(on1000 + `<grantsTo><customer id="1002" type="x"/></grantsTo>`), status: 400, code: "400-152"},
		{name: "customer without id", json: `{"grantsOn":{"customer":[{"id":"1000"}]},"grantsTo":{"customer":[{}]}}`,
			xml: xmlGrants(on1000 + `<grantsTo><customer/></grantsTo>`), status: 400, code: "400-152"},
		{name: "unknown grantee", client: "crm-sync", json: servertest.GrantBody("1000", "1002", "9999"), xml: xmlGrantBody("1000", "1002", "9999"),
			status: 400, code: "400-301"},
		{name: "unknown grantee, to a user", json: servertest.GrantBody("1000", "1002", "9999"), xml: xmlGrantBody("1000", "1002", "9999"),
			status: 403, code: "403-197"},
		{name: "grant on itself", json: servertest.GrantBody("1000", "1000"), xml: xmlGrantBody("1000", "1000"),
			status: 400, code: "400-302"},
		{name: "organization grantee", json: servertest.GrantBody("1000", "1500"), xml: xmlGrantBody("1000", "1500"),
			status: 400, code: "400-303"},
		{name: "customers of different departments", json: servertest.GrantBody("1000", "2000"), xml: xmlGrantBody("1000", "2000"),
			status: 400, code: "400-304"},
		{name: "user without Edit Customer", user: "viewer", json: servertest.GrantBody("1000", "1002"), xml: xmlGrantBody("1000", "1002"),
			status: 403, code: "403-178"},
		{name: "user outside the customers' department", user: "homebody", json: servertest.GrantBody("2000", "2001"), xml: xmlGrantBody("2000", "2001"),
			status: 403, code: "403-197"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				user := tc.user
				if user == "" {
					user = "agent"
				}
				var results [2]*formatResult
				for i, req := range []struct{ mediaType, body string }{{jsonType, tc.json}, {xmlType, tc.xml}} {
					h := servertest.New(t, dialect, servertest.ManyCustomers(5000, 80))
					token := h.UserToken(user)
					if tc.client != "" {
						token = h.ClientToken(tc.client)
					}
					rec := h.Do(postAs(req.mediaType, token, req.body))
					if rec.Code != tc.status {
						t.Fatalf("%s: status %d, want %d: %s", req.mediaType, rec.Code, tc.status, rec.Body)
					}
					results[i] = &formatResult{location: rec.Header().Get("Location"), grants: h.GrantPairs()}
					if tc.code != "" {
						if ct := rec.Header().Get("Content-Type"); ct != req.mediaType {
							t.Fatalf("%s request: error in %s", req.mediaType, ct)
						}
						body := servertest.WSError(t, rec, tc.status, tc.code)
						results[i].error = &body
					}
				}
				if !reflect.DeepEqual(results[0], results[1]) {
					t.Fatalf("JSON and XML disagree:\n JSON %s\n  XML %s", results[0], results[1])
				}
				if tc.after != nil && !slices.Equal(results[0].grants, tc.after) {
					t.Fatalf("stored grants %v, want %v", results[0].grants, tc.after)
				}
			})
		})
	}
}

// formatResult is what one request of a pair led to.
type formatResult struct {
	location string
	grants   []string
	error    *gen.WSError
}

func (r *formatResult) String() string {
	data, _ := json.Marshal(map[string]any{"location": r.location, "grants": r.grants, "error": r.error})
	return string(data)
}

// TestXMLBodiesOutsideTheBinding: documents the binding cannot take are refused with an
// eGain 400 that says why, never a 500, and in bounded work.
func TestXMLBodiesOutsideTheBinding(t *testing.T) {
	on, to := `<grantsOn><customer id="1000"/></grantsOn>`, `<grantsTo><customer id="1002"/></grantsTo>`
	valid := xmlGrants(on + to)
	cases := []struct {
		name, body string
		code       string
		reason     string // part of the developerMessage
	}{
		{"not well-formed", `<grants xmlns="` + egainNamespace + `"><grantsOn>`, "400-202", "not well-formed XML (line 1)"},
		{"mismatched end tag", xmlGrants(on + `<grantsTo><customer id="1002"></grantsTo>`), "400-202", "not well-formed XML"},
		{"undeclared entity", xmlGrants(on + `<grantsTo><customer id="&x;"/></grantsTo>`), "400-202", "not well-formed XML"},
		{"another encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + valid, "400-202", "not well-formed XML"},
		{"only whitespace", "  \n ", "400-202", "not well-formed XML"},
		{"another root element", `<grant xmlns="` + egainNamespace + `">` + on + to + `</grant>`, "400-202", "root element must be 'grants' in namespace '" + egainNamespace + "'"},
		{"root without the namespace", `<grants>` + on + to + `</grants>`, "400-202", "root element must be 'grants'"},
		{"root in another namespace", `<grants xmlns="http://bindings.egain.com/ws/model/v11/gen/interaction/customer">` + on + to + `</grants>`, "400-202", "root element must be 'grants'"},
		{"text before the root", `x` + valid, "400-202", "root element must be 'grants'"},
		{"DOCTYPE", `<!DOCTYPE grants>` + valid, "400-202", "document type declarations and entities are not accepted"},
		{"billion laughs", `<!DOCTYPE grants [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
			xmlGrants(on+`<grantsTo><customer id="&b;"/></grantsTo>`), "400-202", "document type declarations and entities are not accepted"},
		{"external entity", `<!DOCTYPE grants [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + xmlGrants(on+`<grantsTo><customer id="&x;"/></grantsTo>`),
			"400-202", "document type declarations and entities are not accepted"},
		{"element in another namespace", xmlGrants(on + `<grantsTo xmlns="urn:other"><customer id="1002"/></grantsTo>`), "400-202", "element 'grantsTo' must be in namespace"},
		{"element without namespace", `<c:grants xmlns:c="` + egainNamespace + `">` + on + to + `</c:grants>`, "400-202", "element 'grantsOn' must be in namespace"},
		{"nesting far beyond the schema", xmlGrants(on + strings.Repeat("<grantsTo>", 2500) + strings.Repeat("</grantsTo>", 2500)), "400-202", "nested more than 16 levels deep"},
		{"nesting in an unknown element", xmlGrants(on + to + strings.Repeat("<x>", 17) + strings.Repeat("</x>", 17)), "400-202", "nested more than 16 levels deep"},
		{"too many nodes", xmlGrants(on + to + strings.Repeat("<!---->", 5000)), "400-202", "more than 4096 XML nodes"},
		{"id as an element", xmlGrants(on + `<grantsTo><customer><id>1002</id></customer></grantsTo>`), "400-202", "element 'id' holds content"},
		{"grantsOn as an attribute", `<grants xmlns="` + egainNamespace + `" grantsOn="1000">` + to + `</grants>`, "400-202", "element 'grants' holds content"},
		{"qualified attribute", xmlGrants(on + `<grantsTo><customer xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="x" id="1002"/></grantsTo>`), "400-202", "element 'customer' holds content"},
		{"text among elements", xmlGrants(on + `<grantsTo>1002<customer id="1002"/></grantsTo>`), "400-202", "element 'grantsTo' holds content"},
		{"grantsOn twice", xmlGrants(on + on + to), "400-202", "element 'grantsOn' holds content"},
		{"content after the root", valid + `<grants/>`, "400-202", "element 'grants' holds content"},
		{"element inside an attribute-only value", xmlGrants(on + `<grantsTo><customer id="1002"><x/></customer></grantsTo>`), "400-152", "not supported"},
		{"no body", "", "400-201", "Request body is required"},
	}
	runRuleCases(t, nil, nil, func() []ruleCase {
		rules := make([]ruleCase, len(cases))
		for i, tc := range cases {
			rules[i] = ruleCase{name: tc.name, status: 400, code: tc.code, request: func(h *servertest.Harness) servertest.Request {
				r := postAs(xmlType, h.UserToken("agent"), tc.body)
				if tc.body == "" {
					r.Body = ""
				}
				return r
			}}
		}
		return rules
	}())
	// The reasons, once, on SQLite: runRuleCases checks the codes on every dialect.
	h := servertest.New(t, store.SQLite)
	for _, tc := range cases {
		body := servertest.WSError(t, h.Do(postAs(xmlType, h.UserToken("agent"), tc.body)), 400, tc.code)
		if !strings.Contains(body.DeveloperMessage, tc.reason) {
			t.Errorf("%s: developerMessage %q does not say %q", tc.name, body.DeveloperMessage, tc.reason)
		}
	}
}

// TestContentNegotiation: Accept picks JSON or XML by q-value (JSON on a tie and by
// default), an Accept that admits neither is a 406 in JSON, and only JSON and XML bodies
// are taken.
func TestContentNegotiation(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		seedGrants(t, h)
		token := h.UserToken("agent")
		for _, tc := range []struct {
			accept string
			want   string // Content-Type of the response, or 406
		}{
			{"", jsonType},
			{"*/*", jsonType},
			{"application/*", jsonType},
			{"application/json", jsonType},
			{"application/xml", xmlType},
			{"APPLICATION/XML", xmlType},
			{"application/xml, application/json", jsonType},
			{"application/json;q=0.5, application/xml", xmlType},
			{"application/xml;q=0.9, application/json;q=0.8", xmlType},
			{"application/xml;q=0.8, application/json;q=0.9", jsonType},
			{"text/html, application/xml;q=0.1", xmlType},
			{"application/*;q=0.5, application/xml", xmlType},
			{"application/xml;q=0, */*", jsonType},
			{"application/json;q=0, */*", xmlType},
			{"text/html", "406"},
			{"text/xml", "406"},
			{"application/json;q=0, application/xml;q=0", "406"},
			// A malformed weight makes its element malformed: it is ignored.
			{"application/xml;q=2, application/json;q=0.5", jsonType},
			{"application/xml;q=0.5000", "406"},
			{`application/json;q=0.5;p="x, application/xml;q=1, y"`, jsonType},
		} {
			rec := h.Do(servertest.Request{Method: http.MethodGet, Path: servertest.GrantsPath("1000"), Token: token, Headers: map[string]string{"Accept": tc.accept}})
			if tc.want == "406" {
				body := servertest.WSError(t, rec, 406, "406-101")
				if ct := rec.Header().Get("Content-Type"); ct != jsonType {
					t.Errorf("Accept %q: 406 in %s, want the default JSON", tc.accept, ct)
				}
				if got := servertest.DetailValues(body, "Accept"); !slices.Equal(got, []string{tc.accept}) {
					t.Errorf("Accept %q: details %v", tc.accept, got)
				}
				continue
			}
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tc.want {
				t.Errorf("Accept %q: %d in %s, want 200 in %s", tc.accept, rec.Code, rec.Header().Get("Content-Type"), tc.want)
			}
			// Errors follow Accept too.
			rec = h.Do(servertest.Request{Method: http.MethodGet, Path: servertest.GrantsPath("9999"), Token: h.ClientToken("crm-sync"), Headers: map[string]string{"Accept": tc.accept}})
			servertest.WSError(t, rec, 404, "404-100")
			if ct := rec.Header().Get("Content-Type"); ct != tc.want {
				t.Errorf("Accept %q: 404 in %s, want %s", tc.accept, ct, tc.want)
			}
		}

		for _, tc := range []struct {
			contentType string
			status      int
		}{
			{"application/json; charset=utf-8", 201},
			{"application/xml; charset=UTF-8", 201},
			{"Application/XML", 201},
			{"application/x-www-form-urlencoded", 415},
			{"multipart/form-data; boundary=x", 415},
			{"text/plain", 415},
			{"text/xml", 415},
			{"application/soap+xml", 415},
			// Bodies are read as UTF-8: another charset is refused, not misread.
			{`application/xml; charset="utf-8"`, 201},
			{"application/json; CHARSET=Utf-8", 201},
			{"application/xml; charset=ISO-8859-1", 415},
			{"application/xml; charset=utf-16", 415},
			{"application/json; charset=iso-8859-1", 415},
			{"application/json; charset=utf-16le", 415},
			{"application/json; charset", 415},
			{"application/json; x=" + strings.Repeat("y", 236), 201}, // 256 bytes
			{"application/json; x=" + strings.Repeat("y", 237), 415},
		} {
			body := servertest.GrantBody("1020", "1002")
			if strings.Contains(tc.contentType, "xml") || strings.Contains(tc.contentType, "XML") {
				body = xmlGrantBody("1020", "1002")
			}
			r := servertest.Post(token, body)
			r.Headers = map[string]string{"Content-Type": tc.contentType, "Accept": xmlType}
			rec := h.Do(r)
			if tc.status == 415 {
				servertest.WSError(t, rec, 415, "415-100")
				if ct := rec.Header().Get("Content-Type"); ct != xmlType {
					t.Errorf("Content-Type %q: 415 in %s, want XML as asked", tc.contentType, ct)
				}
			} else if rec.Code != tc.status {
				t.Errorf("Content-Type %q: status %d: %s", tc.contentType, rec.Code, rec.Body)
			}
		}

		// JSON's \u0000 escape is text in XML: only JSON bodies are searched for it; a raw NUL
		// is refused in any body.
		rec := h.Do(postAs(xmlType, token, xmlGrants(`<!-- \u0000 --><grantsOn><customer id="1020"/></grantsOn><grantsTo><customer id="1002"/></grantsTo>`)))
		if rec.Code != 201 {
			t.Errorf("XML body with the text \\u0000: status %d: %s", rec.Code, rec.Body)
		}
		servertest.WSError(t, h.Do(postAs(jsonType, token, `{"grantsOn":{"customer":[{"id":"1020"}]},"grantsTo":{"customer":[{"id":"1002","x":"\u0000"}]}}`)), 400, "400-152")
		body := servertest.WSError(t, h.Do(postAs(xmlType, token, xmlGrants("<grantsOn><customer id=\"1020\"/></grantsOn><grantsTo><customer id=\"1002\"/></grantsTo><!-- \x00 -->"))), 400, "400-152")
		if got := servertest.DetailValues(body, "attribute"); !slices.Equal(got, []string{"(body)"}) {
			t.Errorf("raw NUL in XML: details %v", got)
		}

		// A leading UTF-8 byte order mark, as .NET clients write it, is skipped; UTF-16 is not
		// UTF-8 whatever it starts with.
		bom := "\xEF\xBB\xBF"
		for _, tc := range []struct {
			mediaType, body string
			status          int
			code            string
		}{
			{jsonType, bom + servertest.GrantBody("1020", "1002"), 201, ""},
			{xmlType, bom + `<?xml version="1.0" encoding="utf-8"?>` + xmlGrantBody("1020", "1002"), 201, ""},
			{xmlType, bom + bom + xmlGrantBody("1020", "1002"), 400, "400-202"},
			{jsonType, bom + bom + servertest.GrantBody("1020", "1002"), 400, "400-202"},
			{xmlType, "\xFE\xFF\x00<\x00g", 400, "400-202"},
		} {
			rec := h.Do(postAs(tc.mediaType, token, tc.body))
			if tc.code != "" {
				servertest.WSError(t, rec, tc.status, tc.code)
			} else if rec.Code != tc.status {
				t.Errorf("%s body %q: status %d: %s", tc.mediaType, tc.body[:10], rec.Code, rec.Body)
			}
		}
	})
}

// TestListCustomerGrantsInXML: the list in XML says what the JSON list says, in the binding
// the spec declares.
func TestListCustomerGrantsInXML(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		seedGrants(t, h)
		token := h.UserToken("viewer")
		jsonRec := h.Do(servertest.Request{Method: http.MethodGet, Path: servertest.GrantsPath("1000"), Token: token})
		xmlRec := h.Do(servertest.Request{Method: http.MethodGet, Path: servertest.GrantsPath("1000"), Token: token, Headers: map[string]string{"Accept": xmlType}})
		if jsonRec.Code != 200 || xmlRec.Code != 200 {
			t.Fatalf("statuses %d and %d", jsonRec.Code, xmlRec.Code)
		}
		var fromJSON, fromXML gen.CustomerGrants
		if err := json.Unmarshal(jsonRec.Body.Bytes(), &fromJSON); err != nil {
			t.Fatal(err)
		}
		if err := egain.DecodeXMLDocument(bytes.NewReader(xmlRec.Body.Bytes()), "CustomerGrants", &fromXML); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromJSON, fromXML) {
			t.Fatalf("JSON %+v, XML %+v", fromJSON, fromXML)
		}
		want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<grants xmlns="` + egainNamespace + `">` +
			`<grantsOn><customer id="1002"><customerName>John Doe</customerName><link rel="customer" href="/core/customermgr/v3/customer/1002"></link></customer></grantsOn>` +
			`<grantsTo><customer id="1002"><customerName>John Doe</customerName><link rel="customer" href="/core/customermgr/v3/customer/1002"></link></customer>` +
			`<customer id="1020"><customerName>Mary Major</customerName><link rel="customer" href="/core/customermgr/v3/customer/1020"></link></customer></grantsTo></grants>`
		if got := xmlRec.Body.String(); got != want {
			t.Fatalf("XML list\n got %s\nwant %s", got, want)
		}
	})
}
