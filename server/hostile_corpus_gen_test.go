package server_test

// The hostile corpus's generator: every operation of the contract, its parameters, request
// bodies and security alternatives read from the spec, one valid baseline request built per
// operation, then mutated one position at a time. An operation added to openapi.yaml joins
// the corpus without a line here, unless its baseline needs a value the fixtures must
// supply (corpusPrincipals, corpusFixtureValues, corpusBaselineBodies, corpusBaselineParameters).

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
)

// corpusFixtures are the fixtures the corpus's harness loads; the baselines name their data.
var corpusFixtures = []string{servertest.ReltioFixture, servertest.OracleFixture, servertest.TokenFixture, corpusReltioApp, corpusAuditors}

// corpusAuditors read the audit trail.
const corpusAuditors = `
users:
  - {login: auditor, name: Auditor, auditor: true}
clients:
  - {clientId: audit-export, name: Audit export, type: API, auditor: true}
`

// corpusReltioApp is a Reltio client of a customer of its own, which reading a system
// role's permissions needs (Auth/globalRoles within the caller's customer).
const corpusReltioApp = `
clients:
  - {clientId: reltio-app, name: Reltio app, type: API, reltioCustomer: TestCustomer, reltioRoles: [ROLE_ADMIN_CUSTOMER]}
`

// corpusPrincipal is who calls an operation under one security scheme: a principal of the
// fixtures allowed to, and for HTTP Basic its secret.
type corpusPrincipal struct {
	subject, secret string
}

// corpusPrincipals names, per security scheme of the spec, the fixtures' principal that
// passes it. A new scheme needs its entry (the generator says so).
var corpusPrincipals = map[string]corpusPrincipal{
	"oAuthUser":         {subject: "agent"},
	"oAuthClient":       {subject: "crm-sync"},
	"oAuthCustomer":     {subject: "1002"},
	"reltioOAuthUser":   {subject: "reltio-admin"},
	"reltioOAuthClient": {subject: "reltio-app"},
	"oracleUser":        {subject: "css-super"},
	"clientBasic":       {subject: "crm-sync", secret: servertest.CRMSyncSecret},
	"auditUser":         {subject: "auditor"},
	"auditClient":       {subject: "audit-export"},
}

// clientIDField is RFC 6749's name of the client identifier in a token request's form.
const clientIDField = "client_id"

// corpusFixtureValues give body properties the spec has no example for, when the baseline
// needs them: the token endpoint's client credentials in the form.
var corpusFixtureValues = map[string]string{
	"client_id":     "crm-sync",
	"client_secret": servertest.CRMSyncSecret,
}

// corpusBaselineBodies replace the spec's example where running it would remove what
// other operations' baselines use: replacing the customer's roles by the example's two
// would drop ROLE_RIQ_DEV, whose permissions replaceRolePermissions changes.
var corpusBaselineBodies = map[string]string{
	"replaceCustomerRoles": `["CUST01_DS","CUST01_PM","ROLE_ANALYST","ROLE_RIQ_DEV"]`,
}

// corpusBaselineParameters replace a parameter's example where the operation needs
// another: the shared roleName example is a customer's role, and this operation reads
// system roles; a history entry's id is known only when the corpus runs.
var corpusBaselineParameters = map[string]map[string]string{
	"getSystemRolePermissions":  {"roleName": "ROLE_USER"},
	"getSelfServiceRoleHistory": {"HistoryId": corpusHistoryID},
}

// corpusHistoryID stands, in a row's path, for the id of the first entry of user 100's role
// history: the id names an audit event's seq, which is known only once the corpus's writes
// have run. serveRow puts the id in its place.
const corpusHistoryID = "first-history-id-of-100"

// hostileRow is one request of the corpus.
type hostileRow struct {
	name      string // operation, position, mutation
	operation string // operationId; "" for requests of no operation
	method    string
	target    string // path and query as sent on the wire
	header    http.Header
	body      []byte
	// valid: a baseline, which must succeed.
	valid bool
	// mustRefuse: a malformed body or query string, text no caller may send (invalid
	// UTF-8, NUL) or two Authorization headers, which must be refused whatever the data.
	mustRefuse bool
}

func (r hostileRow) with(name string, change func(*hostileRow)) hostileRow {
	mutated := r
	mutated.name = r.name + "/" + name
	mutated.header = r.header.Clone()
	mutated.body = slices.Clone(r.body)
	mutated.valid, mutated.mustRefuse = false, false
	change(&mutated)
	return mutated
}

// hostileText is a text value that a caller should not be able to store or query with.
type hostileText struct {
	name, text string
}

// hostileTexts: every class of invalid UTF-8, and control characters.
var hostileTexts = []hostileText{
	{"lone continuation byte", "\x80"},
	{"overlong slash C0AF", "\xC0\xAF"},
	{"overlong NUL C080", "\xC0\x80"},
	{"overlong three bytes", "\xE0\x80\xAF"},
	{"surrogate ED A0 80", "\xED\xA0\x80"},
	{"truncated sequence E2 80", "\xE2\x80"},
	{"truncated at the end F0 9F 98", "\xF0\x9F\x98"},
	{"byte FF", "\xFF"},
	{"byte FE", "\xFE"},
	{"beyond U+10FFFF", "\xF4\x90\x80\x80"},
	{"latin-1 e-acute", "caf\xE9"},
	{"NUL", "\x00"},
	{"SOH", "\x01"},
	{"TAB", "\t"},
	{"LF", "\n"},
	{"CR LF", "\r\n"},
	{"ESC", "\x1B"},
	{"unit separator 1F", "\x1F"},
	{"DEL", "\x7F"},
}

// oddTexts are valid UTF-8 but unusual; a service may accept them.
var oddTexts = []hostileText{
	{"C1 NEL", "\u0085"},
	{"noncharacter FFFE", "\uFFFE"},
	{"BOM", "\uFEFF"},
	{"right-to-left override", "\u202E"},
	{"emoji", "\U0001F600"},
}

// fewHostileTexts are the classes a position shared with an operation already mutated in
// full (a component parameter, the same security scheme) is mutated with again.
var fewHostileTexts = []hostileText{
	{"lone continuation byte", "\x80"}, {"overlong slash C0AF", "\xC0\xAF"}, {"surrogate ED A0 80", "\xED\xA0\x80"},
	{"truncated sequence E2 80", "\xE2\x80"}, {"byte FF", "\xFF"}, {"NUL", "\x00"}, {"ESC", "\x1B"}, {"DEL", "\x7F"},
}

// injections are SQL (and LIKE, and placeholder) fragments.
var injections = []hostileText{
	{"quote or true", "' OR '1'='1"},
	{"drop table", "'; DROP TABLE customer_grants; --"},
	{"double quote", `" OR ""="`},
	{"union select", "1 UNION SELECT login, name FROM users--"},
	{"block comment", "/* comment */"},
	{"line comment", "-- comment"},
	{"semicolon", ";"},
	{"like wildcards", "%_"},
	{"backslash", `\`},
	{"placeholders", "$1 ?"},
	{"subquery", "(SELECT 1)"},
}

// oversized are lengths beyond the spec's maxLengths and the 64K body limit.
var oversized = []int{256, 4001, 70000}

// numberMutations replace a number (an integer parameter or attribute).
var numberMutations = []string{
	"9223372036854775808", "-9223372036854775809", "99999999999999999999999", "1e400",
	"-1", "0", "1.5", "1e2", "+100", "0100", "0x10", "NaN", "Infinity", "",
}

// wrongJSONTypes replace a JSON value of any type.
var wrongJSONTypes = []string{`null`, `true`, `{}`, `[]`, `[null]`, `{"id":"1000"}`}

// corpusSpec is the embedded contract the server validates with.
func corpusSpec(t testing.TB) *openapi3.T {
	t.Helper()
	spec, err := gen.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// corpusOperation is one operation of the spec.
type corpusOperation struct {
	method, path string
	op           *openapi3.Operation
	params       openapi3.Parameters
}

// corpusOperations lists the spec's operations: creating ones first, so that the others
// find what they act on, and DELETE last.
func corpusOperations(spec *openapi3.T) []corpusOperation {
	rank := map[string]int{http.MethodPost: 0, http.MethodPut: 1, http.MethodPatch: 2, http.MethodGet: 3, http.MethodDelete: 5}
	var ops []corpusOperation
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			params := append(slices.Clone(item.Parameters), op.Parameters...)
			ops = append(ops, corpusOperation{method: method, path: path, op: op, params: params})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		ri, rj := rank[ops[i].method], rank[ops[j].method]
		if ri != rj {
			return ri < rj
		}
		return ops[i].path < ops[j].path
	})
	return ops
}

// exampleText writes a parameter's example (or its schema's, or its default) as text,
// unless the operation's baseline needs another value (corpusBaselineParameters).
func exampleText(operation string, p *openapi3.Parameter) string {
	for name, values := range corpusBaselineParameters {
		// The embedded spec's operationIds start with a capital.
		if value, ok := values[p.Name]; ok && strings.EqualFold(name, operation) {
			return value
		}
	}
	candidates := []any{p.Example}
	for _, name := range slices.Sorted(maps.Keys(p.Examples)) {
		if p.Examples[name].Value != nil {
			candidates = append(candidates, p.Examples[name].Value.Value)
		}
	}
	if p.Schema != nil && p.Schema.Value != nil {
		candidates = append(candidates, p.Schema.Value.Example, p.Schema.Value.Default)
	}
	for _, c := range candidates {
		if c != nil {
			return scalarText(c)
		}
	}
	return "1"
}

func scalarText(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// percentEncode escapes every byte but the unreserved ones (RFC 3986), so that any byte
// travels in a path segment or a query value.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// travelsInHeader tells whether a header value can reach the service: net/http's server
// refuses control characters other than HTAB in field values (RFC 9110 §5.5) before any
// handler runs; the raw-socket section sends those.
func travelsInHeader(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7F {
			return false
		}
	}
	return true
}

// corpusGenerator builds the rows; token signs tokens for the harness's verifier.
type corpusGenerator struct {
	t     testing.TB
	spec  *openapi3.T
	token func(kind auth.PrincipalKind, subject string) string
	rows  []hostileRow
	seen  map[string]bool
	// checksSecret: the operation checks a client secret (bcrypt, some 50 ms) on each
	// request; to keep the corpus fast its positions get fewHostileTexts, but for the
	// client's credentials.
	checksSecret bool
}

func (g *corpusGenerator) add(r hostileRow) { g.rows = append(g.rows, r) }

// serviceHeaders are the headers the service reads on every operation besides those the
// spec declares (OpenAPI 3.0 cannot declare Accept and Content-Type), with a valid value.
var serviceHeaders = map[string]string{
	"Accept":            "*/*",
	"X-Request-Id":      "corpus-request-1",
	"X-Forwarded-For":   "198.51.100.7",
	"X-Forwarded-Proto": "https",
}

// hostileCorpus generates the corpus over the spec: per operation a baseline per security
// alternative, the mutations of every position of the first alternative's baseline, and
// the Authorization mutations of every alternative.
func hostileCorpus(t testing.TB, token func(kind auth.PrincipalKind, subject string) string) []hostileRow {
	t.Helper()
	g := &corpusGenerator{t: t, spec: corpusSpec(t), token: token, seen: map[string]bool{}}
	var all []hostileRow
	for _, o := range corpusOperations(g.spec) {
		security := g.spec.Security
		if o.op.Security != nil {
			security = *o.op.Security
		}
		if len(security) == 0 {
			security = openapi3.SecurityRequirements{{}}
		}
		var baselines []hostileRow
		g.rows = nil
		g.checksSecret = false
		for _, requirement := range security {
			for name := range requirement {
				if scheme := g.spec.Components.SecuritySchemes[name]; scheme != nil && scheme.Value.Type == "http" && strings.EqualFold(scheme.Value.Scheme, "basic") {
					g.checksSecret = true
				}
			}
		}
		for i, requirement := range security {
			base := g.baseline(o, requirement)
			baselines = append(baselines, base)
			g.authorizationMutations(base, requirement)
			if i == 0 {
				g.parameterMutations(o, base)
				g.headerMutations(o, base)
				g.bodyMutations(o, base)
				g.methodAndPathMutations(o, base)
			} else {
				// Body positions this alternative's baseline has and the first's lacks
				// (the client's credentials in the token request's form).
				g.formFieldsBeyond(o, base, baselines[0])
			}
		}
		// A DELETE's first baseline removes what the others would: they are sent, not
		// required to succeed.
		if o.method == http.MethodDelete {
			for i := 1; i < len(baselines); i++ {
				baselines[i].valid = false
			}
		}
		all = append(append(all, baselines...), g.rows...)
	}
	g.rows = nil
	g.noOperationRows()
	all = append(all, g.rows...)
	for _, r := range all {
		if _, err := url.ParseRequestURI(r.target); err != nil {
			t.Fatalf("row %s: target %q does not parse: %v", r.name, r.target, err)
		}
	}
	return all
}

func requirementName(requirement openapi3.SecurityRequirement) string {
	if len(requirement) == 0 {
		return "anonymous"
	}
	return strings.Join(slices.Sorted(maps.Keys(requirement)), "+")
}

// baseline is the operation's valid request under one security alternative.
func (g *corpusGenerator) baseline(o corpusOperation, requirement openapi3.SecurityRequirement) hostileRow {
	row := hostileRow{
		name:      o.op.OperationID + "/as " + requirementName(requirement),
		operation: o.op.OperationID,
		method:    o.method,
		header:    http.Header{},
		valid:     true,
	}
	path := o.path
	for _, ref := range o.params {
		switch p := ref.Value; p.In {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+p.Name+"}", percentEncode(exampleText(o.op.OperationID, p)))
		case openapi3.ParameterInHeader:
			row.header.Set(p.Name, exampleText(o.op.OperationID, p))
		case openapi3.ParameterInQuery:
			if p.Required {
				path = addQuery(path, p.Name, exampleText(o.op.OperationID, p))
			}
		}
	}
	row.target = path
	for _, name := range slices.Sorted(maps.Keys(requirement)) {
		scheme := g.spec.Components.SecuritySchemes[name]
		principal, known := corpusPrincipals[name]
		if scheme == nil || !known {
			g.t.Fatalf("security scheme %s: no principal of the fixtures in corpusPrincipals", name)
		}
		if scheme.Value.Type == "http" && strings.EqualFold(scheme.Value.Scheme, "basic") {
			row.header.Set("Authorization", basicAuthorization(url.QueryEscape(principal.subject), url.QueryEscape(principal.secret)))
			continue
		}
		kind, _ := scheme.Value.Extensions["x-custaccess-principal"].(string)
		row.header.Set("Authorization", "Bearer "+g.token(auth.PrincipalKind(kind), principal.subject))
	}
	if o.op.RequestBody != nil && o.op.RequestBody.Value != nil {
		mediaType, body := g.baselineBody(o, requirement)
		row.header.Set("Content-Type", mediaType)
		row.body = body
	}
	return row
}

func basicAuthorization(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func addQuery(target, name, value string) string {
	separator := "?"
	if strings.Contains(target, "?") {
		separator = "&"
	}
	return target + separator + percentEncode(name) + "=" + percentEncode(value)
}

// bodyMediaType is the media type of the operation's baseline body: JSON when offered.
func bodyMediaType(o corpusOperation) (string, *openapi3.MediaType) {
	content := o.op.RequestBody.Value.Content
	if mt := content["application/json"]; mt != nil {
		return "application/json", mt
	}
	name := slices.Sorted(maps.Keys(content))[0]
	return name, content[name]
}

func mediaTypeExample(mt *openapi3.MediaType) any {
	if mt.Example != nil {
		return mt.Example
	}
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		if e := mt.Examples[name]; e.Value != nil && e.Value.Value != nil {
			return e.Value.Value
		}
	}
	if mt.Schema != nil && mt.Schema.Value != nil {
		return mt.Schema.Value.Example
	}
	return nil
}

func (g *corpusGenerator) baselineBody(o corpusOperation, requirement openapi3.SecurityRequirement) (string, []byte) {
	name, mt := bodyMediaType(o)
	for operation, body := range corpusBaselineBodies {
		// The embedded spec's operationIds start with a capital.
		if strings.EqualFold(operation, o.op.OperationID) {
			return name, []byte(body)
		}
	}
	example := mediaTypeExample(mt)
	switch {
	case name == "application/x-www-form-urlencoded":
		form := url.Values{}
		if fields, ok := example.(map[string]any); ok {
			for k, v := range fields {
				form.Set(k, scalarText(v))
			}
		}
		// Without a security scheme the client authenticates in the form.
		if len(requirement) == 0 && mt.Schema != nil {
			for _, property := range slices.Sorted(maps.Keys(mt.Schema.Value.Properties)) {
				if value, known := corpusFixtureValues[property]; known && !form.Has(property) {
					form.Set(property, value)
				}
			}
		}
		return name, []byte(form.Encode())
	case isXML(name):
		text, _ := example.(string)
		return name, []byte(text)
	default:
		body, err := json.Marshal(example)
		if err != nil || example == nil {
			g.t.Fatalf("%s: no JSON example for the body (%v)", o.op.OperationID, err)
		}
		return name, body
	}
}

func isXML(mediaType string) bool {
	return strings.HasSuffix(mediaType, "/xml") || strings.HasSuffix(mediaType, "+xml")
}

// textMutations are the replacements of a text value v in a position. In full: each
// hostile text in place of v and after it, the odd ones after it, each injection in place
// of v (and after it, with appendInjections), oversized values; else fewHostileTexts.
func textMutations(v string, full, appendInjections bool) []hostileText {
	var out []hostileText
	if !full {
		for _, h := range fewHostileTexts {
			out = append(out, hostileText{"replaced by " + h.name, h.text})
		}
		return append(out, hostileText{"appended byte FF", v + "\xFF"}, hostileText{"appended NUL", v + "\x00"},
			hostileText{"replaced by " + injections[0].name, injections[0].text}, hostileText{"4001 characters", strings.Repeat("a", 4001)})
	}
	for _, h := range hostileTexts {
		out = append(out, hostileText{"replaced by " + h.name, h.text}, hostileText{"appended " + h.name, v + h.text})
	}
	for _, h := range oddTexts {
		out = append(out, hostileText{"appended " + h.name, v + h.text})
	}
	for _, h := range injections {
		out = append(out, hostileText{"replaced by " + h.name, h.text})
		if appendInjections {
			out = append(out, hostileText{"appended " + h.name, v + h.text})
		}
	}
	for _, n := range oversized {
		out = append(out, hostileText{fmt.Sprintf("%d characters", n), strings.Repeat("a", n)})
	}
	return append(out, hostileText{"empty", ""})
}

// minimalHostileTexts are the classes the positions of an operation that checks a client
// secret are mutated with, but for the client's credentials.
var minimalHostileTexts = []hostileText{{"byte FF", "\xFF"}, {"NUL", "\x00"}, {"overlong slash C0AF", "\xC0\xAF"}, {"surrogate ED A0 80", "\xED\xA0\x80"}}

// mutationsOf is textMutations for the operation at hand: an operation that checks a
// client secret gets fewHostileTexts at its credentials and minimalHostileTexts elsewhere.
func (g *corpusGenerator) mutationsOf(v string, full, appendInjections, credential bool) []hostileText {
	switch {
	case !g.checksSecret:
		return textMutations(v, full, appendInjections)
	case credential:
		return textMutations(v, false, false)
	}
	var out []hostileText
	for _, h := range minimalHostileTexts {
		out = append(out, hostileText{"replaced by " + h.name, h.text})
	}
	return append(out, hostileText{"appended byte FF", v + "\xFF"}, hostileText{"4001 characters", strings.Repeat("a", 4001)})
}

// firstTime tells whether key is met for the first time: a position shared between
// operations is mutated in full once, then with fewHostileTexts.
func (g *corpusGenerator) firstTime(key string) bool {
	if g.seen[key] {
		return false
	}
	g.seen[key] = true
	return true
}

// numberTexts are the replacements of a number or boolean parameter.
func numberTexts() []hostileText {
	var out []hostileText
	for _, n := range numberMutations {
		out = append(out, hostileText{"number " + strconv.Quote(n), n})
	}
	return append(out, hostileText{"word true", "TRUE"}, hostileText{"yes", "yes"})
}

func schemaType(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	s := ref.Value
	if s.Type != nil && len(*s.Type) > 0 {
		return (*s.Type)[0]
	}
	for _, part := range s.AllOf {
		if t := schemaType(part); t != "" {
			return t
		}
	}
	return ""
}

// parameterMutations mutate each path, query and header parameter the spec declares.
func (g *corpusGenerator) parameterMutations(o corpusOperation, base hostileRow) {
	for _, ref := range o.params {
		p := ref.Value
		value := exampleText(o.op.OperationID, p)
		// q, orderBy, fields, finder...: text the service parses, so injections go after
		// valid text too.
		mutations := g.mutationsOf(value, g.firstTime(p.In+" "+p.Name), p.In == openapi3.ParameterInQuery, false)
		if t := schemaType(p.Schema); t == "integer" || t == "number" || t == "boolean" {
			mutations = append(mutations, numberTexts()...)
		}
		switch p.In {
		case openapi3.ParameterInPath:
			segment := percentEncode(value)
			before, after := g.splitAtParameter(o, base, p.Name)
			for _, m := range mutations {
				g.add(base.with("path "+p.Name+"/"+m.name, func(r *hostileRow) { r.target = before + percentEncode(m.text) + after }))
			}
			for _, raw := range []hostileText{{"encoded slash", "%2F"}, {"dot dot", ".."}, {"dot", "."}, {"encoded dot dot", "%2E%2E"},
				{"matrix parameter", segment + ";x=1"}, {"double encoded", "%25" + "FF"}, {"plus sign", "+" + segment}} {
				g.add(base.with("path "+p.Name+"/"+raw.name, func(r *hostileRow) { r.target = before + raw.text + after }))
			}
		case openapi3.ParameterInQuery:
			// Each optional parameter is valid alone with its example.
			withParam := base.with("query "+p.Name, func(r *hostileRow) { r.target = addQuery(r.target, p.Name, value) })
			if !p.Required {
				withParam.valid = base.valid && base.method == http.MethodGet
				g.add(withParam)
			}
			for _, m := range mutations {
				g.add(base.with("query "+p.Name+"/"+m.name, func(r *hostileRow) { r.target = addQuery(r.target, p.Name, m.text) }))
			}
			g.add(base.with("query "+p.Name+"/repeated", func(r *hostileRow) {
				r.target = addQuery(addQuery(r.target, p.Name, value), p.Name, value)
			}))
			g.add(base.with("query "+p.Name+"/name only", func(r *hostileRow) { r.target = addQueryRaw(r.target, percentEncode(p.Name)) }))
			g.add(base.with("query "+p.Name+"/name with NUL", func(r *hostileRow) { r.target = addQueryRaw(r.target, percentEncode(p.Name+"\x00")+"=1") }))
			g.add(base.with("query "+p.Name+"/name with FF", func(r *hostileRow) { r.target = addQueryRaw(r.target, percentEncode(p.Name+"\xFF")+"=1") }))
		case openapi3.ParameterInHeader:
			g.headerValueMutations(base, p.Name, value, mutations)
		}
	}
}

// splitAtParameter splits the baseline's target around the path parameter's value.
func (g *corpusGenerator) splitAtParameter(o corpusOperation, base hostileRow, name string) (string, string) {
	marker := "\x00" + name + "\x00"
	path := strings.ReplaceAll(o.path, "{"+name+"}", marker)
	for _, ref := range o.params {
		if p := ref.Value; p.In == openapi3.ParameterInPath && p.Name != name {
			path = strings.ReplaceAll(path, "{"+p.Name+"}", percentEncode(exampleText(o.op.OperationID, p)))
		}
	}
	before, after, _ := strings.Cut(path, marker)
	// The baseline's query, if any, follows the path.
	if _, query, found := strings.Cut(base.target, "?"); found {
		after += "?" + query
	}
	return before, after
}

func addQueryRaw(target, pair string) string {
	if strings.Contains(target, "?") {
		return target + "&" + pair
	}
	return target + "?" + pair
}

// headerValueMutations replace the header's value, and repeat the header.
func (g *corpusGenerator) headerValueMutations(base hostileRow, name, value string, mutations []hostileText) {
	for _, m := range mutations {
		if !travelsInHeader(m.text) {
			continue
		}
		g.add(base.with("header "+name+"/"+m.name, func(r *hostileRow) { r.header.Set(name, m.text) }))
	}
	g.add(base.with("header "+name+"/twice", func(r *hostileRow) { r.header[http.CanonicalHeaderKey(name)] = []string{value, value} }))
	g.add(base.with("header "+name+"/twice, second hostile", func(r *hostileRow) {
		r.header[http.CanonicalHeaderKey(name)] = []string{value, value + "\xFF"}
	}))
}

// headerMutations mutate the headers the service reads that the spec cannot declare: in
// full once per API (tag), for Accept; with fewHostileTexts otherwise.
func (g *corpusGenerator) headerMutations(o corpusOperation, base hostileRow) {
	tag := strings.Join(o.op.Tags, ",")
	for _, name := range slices.Sorted(maps.Keys(serviceHeaders)) {
		if g.checksSecret && name != "Accept" {
			continue // read before routing, alike for every operation: mutated with the others
		}
		value := serviceHeaders[name]
		if current := base.header.Get(name); current != "" {
			value = current
		}
		mutations := g.mutationsOf(value, name == "Accept" && g.firstTime("header Accept of "+tag), false, false)
		if name == "Accept" {
			mutations = append(mutations, hostileText{"q-value overflow", "*/*;q=1e400"}, hostileText{"no type", ";q=1"},
				hostileText{"many ranges", strings.Repeat("a/b;q=0.1, ", 2000) + "*/*"})
		}
		g.headerValueMutations(base, name, value, mutations)
	}
}

// authorizationMutations mutate the credentials of one security alternative's baseline.
func (g *corpusGenerator) authorizationMutations(base hostileRow, requirement openapi3.SecurityRequirement) {
	prefix := "authorization (" + requirementName(requirement) + ")/"
	current := base.header.Get("Authorization")
	full := !g.checksSecret && g.firstTime("authorization "+requirementName(requirement))
	texts := fewHostileTexts
	if g.checksSecret {
		texts = minimalHostileTexts
	}
	if full {
		texts = append(append(slices.Clone(hostileTexts), oddTexts...), injections...)
	}
	var values []hostileText
	for _, h := range texts {
		values = append(values, hostileText{"bearer " + h.name, "Bearer " + h.text})
	}
	values = append(values, hostileText{"scheme only", "Bearer"}, hostileText{"empty", ""}, hostileText{"appended byte FF", current + "\xFF"})
	if current != "" && full {
		values = append(values, hostileText{"two spaces", strings.Replace(current, " ", "  ", 1)},
			hostileText{"lower-case scheme", strings.ToLower(current[:1]) + current[1:]},
			hostileText{"no scheme", strings.TrimPrefix(strings.TrimPrefix(current, "Bearer "), "Basic ")},
			hostileText{"other scheme", "Digest " + strings.TrimPrefix(current, "Bearer ")},
			hostileText{"appended overlong", current + "\xC0\xAF"}, hostileText{"appended space", current + " "})
	}
	if full {
		values = append(values, hostileText{"oversized", "Bearer " + strings.Repeat("a", 70000)},
			hostileText{"three dots", "Bearer ..."}, hostileText{"JWT of none", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZ2VudCJ9."},
			hostileText{"basic without colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("crm-sync"))},
			hostileText{"basic not base64", "Basic !!!"})
	}
	for _, name := range slices.Sorted(maps.Keys(requirement)) {
		scheme := g.spec.Components.SecuritySchemes[name].Value
		principal := corpusPrincipals[name]
		if scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "basic") {
			// The user (the client id, form-urlencoded) reaches the database.
			for _, h := range fewHostileTexts {
				values = append(values, hostileText{"basic user encoded " + h.name, basicAuthorization(url.QueryEscape(h.text), url.QueryEscape(principal.secret))})
			}
			for _, h := range minimalHostileTexts {
				values = append(values,
					hostileText{"basic user " + h.name, basicAuthorization(h.text, url.QueryEscape(principal.secret))},
					hostileText{"basic password " + h.name, basicAuthorization(url.QueryEscape(principal.subject), h.text)},
					hostileText{"basic password encoded " + h.name, basicAuthorization(url.QueryEscape(principal.subject), url.QueryEscape(h.text))})
			}
			values = append(values, hostileText{"basic bad escape", basicAuthorization("%", "%G0")})
			continue
		}
		// Validly signed tokens whose subject is hostile.
		kind, _ := scheme.Extensions["x-custaccess-principal"].(string)
		for _, h := range texts {
			values = append(values,
				hostileText{"signed subject " + h.name, "Bearer " + g.token(auth.PrincipalKind(kind), h.text)},
				hostileText{"signed subject appended " + h.name, "Bearer " + g.token(auth.PrincipalKind(kind), principal.subject+h.text)})
		}
		if full {
			values = append(values, hostileText{"signed oversized subject", "Bearer " + g.token(auth.PrincipalKind(kind), strings.Repeat("a", 4001))})
		}
	}
	for _, v := range values {
		if !travelsInHeader(v.text) {
			continue
		}
		g.add(base.with(prefix+v.name, func(r *hostileRow) { r.header.Set("Authorization", v.text) }))
	}
	// Two Authorization headers are refused, whichever of them is valid.
	if current != "" {
		g.add(base.with(prefix+"twice", func(r *hostileRow) { r.header["Authorization"] = []string{current, current}; r.mustRefuse = true }))
		g.add(base.with(prefix+"twice, second invalid", func(r *hostileRow) {
			r.header["Authorization"] = []string{current, "Bearer invalid"}
			r.mustRefuse = true
		}))
		g.add(base.with(prefix+"twice, first invalid", func(r *hostileRow) {
			r.header["Authorization"] = []string{"Bearer invalid", current}
			r.mustRefuse = true
		}))
	} else {
		g.add(base.with(prefix+"unexpected bearer", func(r *hostileRow) { r.header.Set("Authorization", "Bearer invalid") }))
	}
}

// methodAndPathMutations: the operation's path with other methods, and bent out of shape.
func (g *corpusGenerator) methodAndPathMutations(o corpusOperation, base hostileRow) {
	item := g.spec.Paths.Value(o.path)
	missing := 0
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace, "PROPFIND"} {
		if item.GetOperation(method) == nil && missing < 3 {
			missing++
			g.add(base.with("method "+method, func(r *hostileRow) { r.method = method }))
		}
	}
	path, query, _ := strings.Cut(base.target, "?")
	if query != "" {
		query = "?" + query
	}
	for _, shape := range []hostileText{
		{"trailing slash", path + "/"}, {"double slash", strings.Replace(path, "/", "//", 2)}, {"upper case", strings.ToUpper(path)},
		{"extra segment", path + "/x"}, {"dot segments", path + "/../" + path[strings.LastIndex(path, "/")+1:]},
		{"encoded path", "/" + strings.Replace(path[1:], "/", "%2F", 2)}, {"semicolon", path + ";x"}, {"oversized", path + "/" + strings.Repeat("a", 70000)},
	} {
		g.add(base.with("path/"+shape.name, func(r *hostileRow) { r.target = shape.text + query }))
	}
	g.add(base.with("query/unknown parameter", func(r *hostileRow) { r.target = addQuery(r.target, "x", "1") }))
	// A malformed query string is refused, not ignored.
	for _, raw := range []string{"a;b=1", "%=", "=1", "&&", "x=%", "x=%G0", "%FF=1", "%00=1", strings.Repeat("a=1&", 5000)} {
		g.add(base.with("query/malformed "+strconv.Quote(truncate(raw, 12)), func(r *hostileRow) {
			r.target = addQueryRaw(r.target, raw)
			r.mustRefuse = raw != "&&"
		}))
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// noOperationRows are requests of no operation of the spec, for every API's prefix.
func (g *corpusGenerator) noOperationRows() {
	base := hostileRow{name: "no operation", method: http.MethodGet, header: http.Header{}}
	for _, target := range []string{"/", "/nothing", "/%FF", "/%00", "/%C0%AF", "/oauth/%FF", "/oauth/customers/%ED%A0%80/roles",
		"/crmRestApi/%E2%80", "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/%FF/child/SelfServiceRoles/%00",
		"/core/customermgr/v3/customer/%FF", "/" + strings.Repeat("%FF", 10000), "/*", "/.."} {
		g.add(base.with(strconv.Quote(truncate(target, 40)), func(r *hostileRow) { r.target = target }))
	}
}
