package server_test

// The hostile corpus's body mutations: whole bodies malformed, and every value position
// the request body's schema has (JSON and form), or the example has (XML), mutated alone.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// bodyMutations mutate the baseline's body, in each of the operation's media types.
func (g *corpusGenerator) bodyMutations(o corpusOperation, base hostileRow) {
	if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		for _, body := range []string{`{}`, "x", "\x00", "\xFF"} {
			g.add(base.with("unexpected body "+strconv.Quote(body), func(r *hostileRow) {
				r.body = []byte(body)
				r.header.Set("Content-Type", "application/json")
			}))
		}
		return
	}
	mediaType, mt := bodyMediaType(o)
	switch {
	case mediaType == "application/x-www-form-urlencoded":
		g.formMutations(base, mt.Schema)
	case isXML(mediaType):
		g.xmlMutations(base)
	default:
		g.jsonMutations(base, mt.Schema)
	}
	g.contentTypeMutations(base)
	// The other media types the operation takes, each with the baseline's body in its
	// syntax where that is the same (+json); XML with the example of its own.
	for _, name := range slices.Sorted(maps.Keys(o.op.RequestBody.Value.Content)) {
		if name == mediaType {
			continue
		}
		other := o.op.RequestBody.Value.Content[name]
		variant := base.with("as "+name, func(r *hostileRow) { r.header.Set("Content-Type", name) })
		if isXML(name) {
			text, _ := mediaTypeExample(other).(string)
			variant.body = []byte(text)
			variant.valid = base.valid
			g.add(variant)
			g.xmlMutations(variant)
			continue
		}
		variant.valid = base.valid && !isXML(mediaType)
		g.add(variant)
	}
	g.add(base.with("body missing", func(r *hostileRow) { r.body = nil }))
	g.add(base.with("body over the limit", func(r *hostileRow) { r.body = append(r.body, bytes.Repeat([]byte(" "), 70000)...) }))
}

func (g *corpusGenerator) contentTypeMutations(base hostileRow) {
	current := base.header.Get("Content-Type")
	for _, ct := range []string{"", "text/plain", "application/octet-stream", current + "; charset=latin1", current + "; charset=utf-16",
		current + "; charset=\"utf-8\"", current + ";;", "a/b/c", "multipart/form-data; boundary=x", current + "; charset=" + strings.Repeat("a", 300),
		current + "\xFF", "application/json", "application/xml", "application/x-www-form-urlencoded"} {
		if ct == current || !travelsInHeader(ct) {
			continue
		}
		g.add(base.with("content type "+strconv.Quote(truncate(ct, 40)), func(r *hostileRow) {
			if ct == "" {
				r.header.Del("Content-Type")
			} else {
				r.header.Set("Content-Type", ct)
			}
		}))
	}
}

// wholeBodyMutations break a body of any syntax as a whole.
// With strictSyntax (JSON, XML) every mutation but wellFormedMutations makes the body
// malformed, which the service must refuse.
func (g *corpusGenerator) wholeBodyMutations(base hostileRow, strictSyntax bool, extra ...hostileText) {
	body := string(base.body)
	content := strings.TrimRight(body, " \t\r\n") // a truncation removes more than whitespace
	mutations := []hostileText{
		{"truncated to one byte", content[:1]}, {"truncated to half", content[:len(content)/2]}, {"truncated by one byte", content[:len(content)-1]},
		{"trailing object", body + "{}"}, {"trailing letter", body + "x"}, {"trailing garbage", body + " garbage"},
		{"twice", body + body}, {"leading FF", "\xFF" + body}, {"leading NUL", "\x00" + body}, {"trailing NUL", body + "\x00"},
		{"byte order mark", "\uFEFF" + body}, {"two byte order marks", "\uFEFF\uFEFF" + body}, {"UTF-16", utf16LE("\uFEFF" + body)},
		{"whitespace only", " \r\n\t"},
	}
	for _, m := range append(mutations, extra...) {
		g.add(base.with("body "+m.name, func(r *hostileRow) {
			r.body = []byte(m.text)
			r.mustRefuse = strictSyntax && !wellFormedMutations[m.name]
		}))
	}
}

// wellFormedMutations keep a JSON or XML body well-formed (if not valid).
var wellFormedMutations = map[string]bool{
	"byte order mark": true, "trailing newline": true, "null": true, "empty object": true, "empty array": true, "string": true,
	"number": true, "nested 100000 deep": true, "other namespace": true, "no namespace": true, "processing instruction": true,
	"CDATA": true, "comment": true, "empty element": true, "declared latin-1": true, "declared UTF-16": true, "XML 1.1": true,
	"doctype": true, "billion laughs": true, "external entity": true,
}

// malformedText: text no JSON string may hold raw (invalid UTF-8, a C0 control), nor any
// text the service stores (the text rule).
func malformedText(text string) bool {
	return !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 })
}

func utf16LE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

// jsonPosition is one value of a JSON body: its path (object keys and array indexes) and
// its schema.
type jsonPosition struct {
	path   []any
	schema *openapi3.Schema
}

func (p jsonPosition) String() string {
	var b strings.Builder
	for _, step := range p.path {
		switch step := step.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(step)
		case int:
			fmt.Fprintf(&b, "[%d]", step)
		}
	}
	if b.Len() == 0 {
		return "(root)"
	}
	return b.String()
}

// jsonPositions walks a schema down to its scalar values: every property of every object,
// the first item of every array.
func jsonPositions(ref *openapi3.SchemaRef, path []any, out *[]jsonPosition) {
	if ref == nil || ref.Value == nil || len(path) > 12 {
		return
	}
	s := ref.Value
	switch schemaType(ref) {
	case "object":
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			jsonPositions(s.Properties[name], append(slices.Clone(path), name), out)
		}
	case "array":
		jsonPositions(s.Items, append(slices.Clone(path), 0), out)
	default:
		*out = append(*out, jsonPosition{path: slices.Clone(path), schema: s})
	}
}

// placeholder marks the position being mutated in the marshalled baseline.
const placeholder = "HOSTILE-CORPUS-POSITION"

// setAt puts value at path in a decoded JSON document, creating what is missing.
func setAt(doc any, path []any, value any) any {
	if len(path) == 0 {
		return value
	}
	switch step := path[0].(type) {
	case string:
		object, _ := doc.(map[string]any)
		if object == nil {
			object = map[string]any{}
		}
		object[step] = setAt(object[step], path[1:], value)
		return object
	default:
		array, _ := doc.([]any)
		if len(array) == 0 {
			array = []any{nil}
		}
		array[0] = setAt(array[0], path[1:], value)
		return array
	}
}

// deleteAt removes the value at path; false when there was none.
func deleteAt(doc any, path []any) bool {
	for i, step := range path {
		last := i == len(path)-1
		switch step := step.(type) {
		case string:
			object, ok := doc.(map[string]any)
			if !ok {
				return false
			}
			if last {
				_, had := object[step]
				delete(object, step)
				return had
			}
			doc = object[step]
		default:
			array, ok := doc.([]any)
			if !ok || len(array) == 0 {
				return false
			}
			if last {
				return false // an array keeps its first item; its minItems is the schema's
			}
			doc = array[0]
		}
	}
	return false
}

func valueAt(doc any, path []any) (any, bool) {
	for _, step := range path {
		switch step := step.(type) {
		case string:
			object, ok := doc.(map[string]any)
			if !ok {
				return nil, false
			}
			if doc, ok = object[step]; !ok {
				return nil, false
			}
		default:
			array, ok := doc.([]any)
			if !ok || len(array) == 0 {
				return nil, false
			}
			doc = array[0]
		}
	}
	return doc, true
}

func decodeJSON(body []byte) any {
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var doc any
	_ = decoder.Decode(&doc)
	return doc
}

func marshal(doc any) string {
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	_ = encoder.Encode(doc)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonEscapes are JSON escapes of characters no text should hold, or of half a surrogate.
var jsonEscapes = []hostileText{
	{"escaped NUL", `\u0000`}, {"escaped 1F", `\u001f`}, {"escaped DEL", `\u007f`}, {"escaped lone high surrogate", `\ud800`},
	{"escaped lone low surrogate", `\udfff`}, {"escaped surrogate then letter", `\ud800\u0041`}, {"escaped FFFF", `\uffff`},
	{"escaped slash", `\/`}, {"bad escape", `\x41`}, {"truncated escape", `\u00`},
}

// refusedEscapes make a body malformed, or escape a NUL or half a surrogate, which no
// text may hold.
var refusedEscapes = map[string]bool{"escaped NUL": true, "escaped lone high surrogate": true, "escaped lone low surrogate": true,
	"escaped surrogate then letter": true, "bad escape": true, "truncated escape": true}

// jsonMutations mutate a JSON body: whole, and at every position of its schema.
func (g *corpusGenerator) jsonMutations(base hostileRow, schema *openapi3.SchemaRef) {
	body := string(base.body)
	g.wholeBodyMutations(base, true,
		hostileText{"null", "null"}, hostileText{"empty object", "{}"}, hostileText{"empty array", "[]"}, hostileText{"string", `"x"`},
		hostileText{"number", "1"}, hostileText{"nested 100000 deep", strings.Repeat("[", 100000) + strings.Repeat("]", 100000)},
		hostileText{"unclosed nesting", strings.Repeat(`{"a":`, 10000)},
		hostileText{"comment", "/* c */" + body}, hostileText{"single quotes", strings.ReplaceAll(body, `"`, `'`)},
		hostileText{"trailing comma", body[:len(body)-1] + "," + body[len(body)-1:]}, hostileText{"NaN", "NaN"},
		hostileText{"trailing array", body + "[]"}, hostileText{"trailing newline", body + "\n"},
	)
	var positions []jsonPosition
	jsonPositions(schema, nil, &positions)
	for _, position := range positions {
		doc := decodeJSON(base.body)
		current, present := valueAt(doc, position.path)
		currentJSON := marshal(current)
		if !present {
			current, currentJSON = positionExample(position)
		}
		marked := marshal(setAt(decodeJSON(base.body), position.path, placeholder))
		at := func(name, fragment string) {
			g.add(base.with(position.String()+"/"+name, func(r *hostileRow) {
				r.body = []byte(strings.Replace(marked, `"`+placeholder+`"`, fragment, 1))
				r.mustRefuse = malformedText(fragment) || refusedEscapes[name]
			}))
		}
		isText := schemaType(&openapi3.SchemaRef{Value: position.schema}) == "string" || slices.ContainsFunc(position.schema.AllOf, func(s *openapi3.SchemaRef) bool { return schemaType(s) == "string" })
		if isText {
			text, _ := current.(string)
			// Written raw: encoding/json would replace invalid UTF-8 by U+FFFD.
			for _, m := range textMutations(text, true, false) {
				if strings.ContainsAny(m.text, `"\`) {
					at(m.name, marshal(m.text))
				} else {
					at(m.name, `"`+m.text+`"`)
				}
			}
			for _, m := range jsonEscapes {
				at(m.name, `"`+m.text+`"`)
			}
			at("number", "1000")
		} else {
			for _, n := range numberMutations {
				if n != "" {
					at("number "+n, n)
				}
			}
			at("quoted number", `"`+strings.Trim(currentJSON, `"`)+`"`)
		}
		for _, w := range wrongJSONTypes {
			at("type "+w, w)
		}
		// Duplicate keys, where the position is an object's property.
		if key, isKey := position.path[len(position.path)-1].(string); isKey {
			other := `"other"`
			if !isText {
				other = "1"
			}
			at("duplicate key, valid first", currentJSON+`,"`+key+`":`+other)
			at("duplicate key, valid last", other+`,"`+key+`":`+currentJSON)
			at("sibling unknown key", currentJSON+`,"unknownAttribute":1`)
			at("sibling key FF", currentJSON+",\"\xFF\":1")
		}
		missing := decodeJSON(base.body)
		if deleteAt(missing, position.path) {
			g.add(base.with(position.String()+"/missing", func(r *hostileRow) { r.body = []byte(marshal(missing)) }))
		}
	}
}

// positionExample is the value a position takes when the baseline lacks it: its schema's
// example, else a value of its type.
func positionExample(position jsonPosition) (any, string) {
	if position.schema.Example != nil {
		return position.schema.Example, marshal(position.schema.Example)
	}
	if schemaType(&openapi3.SchemaRef{Value: position.schema}) == "string" {
		return "x", `"x"`
	}
	return 1, "1"
}

// formMutations mutate a form body: whole, and every field of its schema.
func (g *corpusGenerator) formMutations(base hostileRow, schema *openapi3.SchemaRef) {
	body := string(base.body)
	g.wholeBodyMutations(base, false,
		hostileText{"bad escape", body + "&x=%"}, hostileText{"bad hex escape", body + "&x=%G0"}, hostileText{"semicolon", body + "&a;b=1"},
		hostileText{"name only %=", body + "&%="}, hostileText{"empty name", body + "&=1"}, hostileText{"empty pairs", body + "&&&"},
		hostileText{"raw FF", body + "&scope=\xFF"}, hostileText{"raw NUL", body + "&scope=\x00"},
		hostileText{"many fields", body + strings.Repeat("&a=1", 5000)},
	)
	for _, field := range slices.Sorted(maps.Keys(schema.Value.Properties)) {
		g.formFieldMutations(base, field)
	}
}

// formFieldsBeyond mutates the form fields base has and first lacks.
func (g *corpusGenerator) formFieldsBeyond(o corpusOperation, base, first hostileRow) {
	if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return
	}
	if mediaType, _ := bodyMediaType(o); mediaType != "application/x-www-form-urlencoded" {
		return
	}
	form, _ := url.ParseQuery(string(base.body))
	firstForm, _ := url.ParseQuery(string(first.body))
	for _, field := range slices.Sorted(maps.Keys(form)) {
		if !firstForm.Has(field) {
			g.formFieldMutations(base, field)
		}
	}
}

// formFieldMutations mutate one field of a form body.
func (g *corpusGenerator) formFieldMutations(base hostileRow, field string) {
	body := string(base.body)
	form, _ := url.ParseQuery(body)
	value := form.Get(field)
	if value == "" {
		value = corpusFixtureValues[field]
	}
	set := func(name string, values ...string) {
		g.add(base.with("field "+field+"/"+name, func(r *hostileRow) {
			changed, _ := url.ParseQuery(body)
			changed[field] = values
			r.body = []byte(changed.Encode())
		}))
	}
	for _, m := range g.mutationsOf(value, true, false, field == clientIDField) {
		set(m.name, m.text)
	}
	set("twice", value, value)
	g.add(base.with("field "+field+"/missing", func(r *hostileRow) {
		changed, _ := url.ParseQuery(body)
		changed.Del(field)
		r.body = []byte(changed.Encode())
	}))
}

// xmlAttribute and xmlText find the value positions of an XML example: attribute values
// (namespace declarations aside) and element text.
var (
	xmlAttribute = regexp.MustCompile(`\s([A-Za-z_][-\w.]*)="([^"]*)"`)
	xmlText      = regexp.MustCompile(`>([^<\s][^<]*)<`)
)

// xmlCharacterReferences are references to characters XML 1.0 does not allow.
var xmlCharacterReferences = []hostileText{
	{"reference to NUL", "&#0;"}, {"reference to 1F", "&#x1F;"}, {"reference to a surrogate", "&#xD800;"}, {"reference to FFFE", "&#xFFFE;"},
	{"reference beyond U+10FFFF", "&#x110000;"}, {"undefined entity", "&bogus;"}, {"bare ampersand", "&"}, {"less-than", "<"},
}

// xmlMutations mutate an XML body: whole, and each attribute value and element text of it.
func (g *corpusGenerator) xmlMutations(base hostileRow) {
	body := string(base.body)
	root := body[strings.Index(body, "<"):]
	g.wholeBodyMutations(base, true,
		hostileText{"doctype", `<!DOCTYPE grants [<!ENTITY x "1000">]>` + root},
		hostileText{"billion laughs", `<!DOCTYPE g [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` + strings.Replace(root, `"1000"`, `"&c;"`, 1)},
		hostileText{"external entity", `<!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + strings.Replace(root, `"1000"`, `"&x;"`, 1)},
		hostileText{"trailing element", body + "<grants/>"}, hostileText{"declared latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + root},
		hostileText{"declared UTF-16", `<?xml version="1.0" encoding="UTF-16"?>` + root}, hostileText{"XML 1.1", `<?xml version="1.1"?>` + root},
		hostileText{"other namespace", strings.Replace(body, "http://bindings.egain.com", "http://example.com", 1)},
		hostileText{"no namespace", regexp.MustCompile(`\sxmlns="[^"]*"`).ReplaceAllString(body, "")},
		hostileText{"nested 100000 deep", strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)},
		hostileText{"processing instruction", "<?pi x?>" + root}, hostileText{"CDATA", strings.Replace(body, "<grantsTo>", "<grantsTo><![CDATA[1000]]>", 1)},
		hostileText{"comment", strings.Replace(body, "<grantsTo>", "<grantsTo><!-- c -->", 1)},
		hostileText{"empty element", "<grants/>"}, hostileText{"JSON", "{}"},
	)
	for _, match := range xmlAttribute.FindAllStringSubmatchIndex(body, -1) {
		name := body[match[2]:match[3]]
		if strings.HasPrefix(name, "xmlns") {
			continue
		}
		start, end := match[4], match[5]
		g.xmlValueMutations(base, fmt.Sprintf("attribute %s at %d", name, start), start, end)
		g.add(base.with(fmt.Sprintf("attribute %s at %d/twice", name, start), func(r *hostileRow) {
			r.body = []byte(body[:end+1] + " " + body[match[2]:end+1] + body[end+1:])
		}))
		g.add(base.with(fmt.Sprintf("attribute %s at %d/missing", name, start), func(r *hostileRow) {
			r.body = []byte(body[:match[0]] + body[end+1:])
		}))
	}
	for _, match := range xmlText.FindAllStringSubmatchIndex(body, -1) {
		g.xmlValueMutations(base, fmt.Sprintf("text at %d", match[2]), match[2], match[3])
	}
}

func (g *corpusGenerator) xmlValueMutations(base hostileRow, position string, start, end int) {
	body := string(base.body)
	value := body[start:end]
	set := func(name, text string) {
		g.add(base.with(position+"/"+name, func(r *hostileRow) {
			r.body = []byte(body[:start] + text + body[end:])
			// Tab, LF and CR are XML text (an attribute normalizes them to spaces).
			r.mustRefuse = malformedText(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(text)) ||
				strings.HasPrefix(name, "reference") || strings.HasPrefix(name, "appended reference")
		}))
	}
	for _, m := range textMutations(value, true, false) {
		set(m.name, xmlEscape(m.text))
	}
	for _, m := range xmlCharacterReferences {
		set(m.name, m.text)
		set("appended "+m.name, value+m.text)
	}
}

// xmlEscape escapes markup but, unlike encoding/xml, leaves invalid bytes as they are.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
