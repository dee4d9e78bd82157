package egain

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/gen"
)

// xmlSchemaNames are the schemas whose XML binding the service reads or writes.
var xmlSchemaNames = []string{"Grants", "CustomerGrants", "WSError"}

// TestXMLRoundTrip: generated values written in the binding read back the same, whatever
// their text holds.
func TestXMLRoundTrip(t *testing.T) {
	user := "Ünïcødé <b>&amp;</b> \"quoted\" 'single'\n\ttabbed\r\n]]>"
	values := map[string]any{
		"WSError": &gen.WSError{Code: "400-101", DeveloperMessage: user, UserMessage: &user,
			Details: &[]gen.WSErrorDetail{{Key: "parameter", Value: "a&b"}, {Key: "parameter", Value: "<c>"}}},
		"CustomerGrants": &gen.CustomerGrants{GrantsTo: &gen.GrantedCustomerList{Customer: []gen.GrantedCustomer{
			{Id: "1002", CustomerName: user, Link: []gen.Link{{Rel: "customer", Href: "/core/customermgr/v3/customer/1002?a=1&b=2"}}},
			{Id: "1020", CustomerName: "", Link: []gen.Link{}},
		}}},
		"Grants": &gen.Grants{},
	}
	values["Grants"].(*gen.Grants).GrantsOn.Customer = []gen.CustomerReference{{Id: "1000"}}
	values["Grants"].(*gen.Grants).GrantsTo.Customer = []gen.CustomerReference{{Id: "1002"}, {Id: "1020"}}
	for name, value := range values {
		document, err := marshalXML(value, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back := reflect.New(reflect.TypeOf(value).Elem()).Interface()
		if err := DecodeXMLDocument(bytes.NewReader(document), name, back); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, document)
		}
		// An empty list has no elements in XML: it reads back as absent.
		if cg, ok := value.(*gen.CustomerGrants); ok {
			cg.GrantsTo.Customer[1].Link = nil
		}
		if !reflect.DeepEqual(back, value) {
			t.Errorf("%s: read back %+v, wrote %+v\n%s", name, back, value, document)
		}
	}
}

// TestXMLWrappedArrays: no eGain schema wraps its arrays, but the codec follows
// `wrapped: true` as OpenAPI defines it.
func TestXMLWrappedArrays(t *testing.T) {
	schema := openapi3.NewObjectSchema().WithProperty("ids", &openapi3.Schema{
		Type:  &openapi3.Types{openapi3.TypeArray},
		XML:   &openapi3.XML{Wrapped: true},
		Items: openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, XML: &openapi3.XML{Name: "id"}}),
	})
	schema.XML = &openapi3.XML{Name: "list", Namespace: "urn:t"}
	document := xml.Header + `<list xmlns="urn:t"><ids><id>1</id><id>2</id></ids></list>`
	value, err := decodeXML(strings.NewReader(document), schema)
	if want := map[string]any{"ids": []any{"1", "2"}}; err != nil || !reflect.DeepEqual(value, want) {
		t.Fatalf("decoded %v, %v; want %v", value, err, want)
	}
	var buf bytes.Buffer
	if err := encodeXML(&buf, value, schema); err != nil || buf.String() != document {
		t.Fatalf("encoded %s, %v; want %s", buf.Bytes(), err, document)
	}
	if _, err := decodeXML(strings.NewReader(`<list xmlns="urn:t"><ids><x/></ids></list>`), schema); err == nil {
		t.Fatal("an element that is not an item passes")
	}
}

// FuzzDecodeXML: whatever the document, decoding ends in a value or in an xmlBindingError
// (a 400-202, never a 500), and a value the schema accepts survives encoding and decoding
// again, but for members the schema does not declare (response schemas allow them), which
// the encoder does not write. Runs its seeds (f.Add and testdata/fuzz) as a normal test;
// go test -run '^$' -fuzz FuzzDecodeXML ./server/internal/egain/ explores.
func FuzzDecodeXML(f *testing.F) {
	ns := `xmlns="` + egainNamespace + `"`
	grantees := make([]string, 76) // one more than a customer may have
	for i := range grantees {
		grantees[i] = strconv.Itoa(5000 + i)
	}
	for _, seed := range []string{
		xmlGrantBody("1000", "1002", "1020"),
		xmlGrantBody("1000", grantees...),
		`<?xml version="1.0" encoding="UTF-8"?><!-- c --><grants ` + ns + `><grantsTo><customer id="1"/></grantsTo><grantsOn><customer id="2"/></grantsOn></grants>`,
		`<grants ` + ns + `><grantsOn><customer id="1000" x="y"/></grantsOn><note>n</note></grants>`,
		`<grants ` + ns + `><grantsOn><customer><id>1</id></customer></grantsOn></grants>`,
		`<!DOCTYPE grants [<!ENTITY a "b">]><grants ` + ns + `/>`,
		`<grants ` + ns + `>` + strings.Repeat("<grantsOn>", 20) + `</grants>`,
		`<grants ` + ns + `><grantsOn/><grantsOn/></grants>`,
		`<c:grants xmlns:c="` + egainNamespace + `"><c:grantsOn/></c:grants>`,
		`<grants ` + ns + `>text<grantsOn/></grants><x/>`,
		`<grants ` + ns + `><grantsTo><customer id="&lt;&amp;"/></grantsTo></grants>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><grants ` + ns + `/>`,
		`<grants`,
		``,
		`<WSError ` + ns + `><code>400-101</code><developerMessage>m</developerMessage><details><key>k</key><value>v</value></details></WSError>`,
		`<grants ` + ns + `><grantsTo><customer id="1002"><customerName>N</customerName><link rel="customer" href="/x"/></customer></grantsTo></grants>`,
	} {
		for i := range xmlSchemaNames {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, document string) {
		schema, err := bindingSchema(xmlSchemaNames[int(which)%len(xmlSchemaNames)])
		if err != nil {
			t.Fatal(err)
		}
		value, err := decodeXML(strings.NewReader(document), schema)
		if err != nil {
			var bindingErr *xmlBindingError
			if !errors.As(err, &bindingErr) {
				t.Fatalf("error %T %v is not an xmlBindingError", err, err)
			}
			return
		}
		if schema.VisitJSON(value) != nil {
			return
		}
		var buf bytes.Buffer
		if err := encodeXML(&buf, value, schema); err != nil {
			t.Fatalf("encoding %v: %v", value, err)
		}
		again, err := decodeXML(bytes.NewReader(buf.Bytes()), schema)
		if err != nil || !reflect.DeepEqual(again, declaredOnly(value, schema)) {
			t.Fatalf("round trip: %v, %v\nfrom %q\nvia  %s", again, err, document, buf.Bytes())
		}
	})
}

// declaredOnly drops from a decoded value the members its schema does not declare.
func declaredOnly(value any, schema *openapi3.Schema) any {
	switch v := value.(type) {
	case map[string]any:
		properties := schemaProperties(schema)
		declared := map[string]any{}
		for key, member := range v {
			if property, ok := properties[key]; ok {
				declared[key] = declaredOnly(member, property.Value)
			}
		}
		return declared
	case []any:
		items := make([]any, len(v))
		for i, item := range v {
			items[i] = declaredOnly(item, schema.Items.Value)
		}
		return items
	}
	return value
}

// validatedBody is a request body as validation leaves it: the value it validated, and a
// stream that must not be read again.
type validatedBody struct {
	io.Reader
	value any
}

func (b validatedBody) ValidatedValue() any { return b.value }

// TestGrantsBodyBindsTheValidatedValue: an XML create request binds the value validation
// decoded and checked; the body's bytes are not decoded again.
func TestGrantsBodyBindsTheValidatedValue(t *testing.T) {
	value := map[string]any{
		"grantsOn": map[string]any{"customer": []any{map[string]any{"id": "1000"}}},
		"grantsTo": map[string]any{"customer": []any{map[string]any{"id": "1002"}, map[string]any{"id": "1020"}}},
	}
	body, err := grantsBody(gen.CreateCustomerGrantsRequestObject{Body: validatedBody{Reader: strings.NewReader("<not-read/>"), value: value}})
	if err != nil || body.GrantsOn.Customer[0].Id != "1000" || len(body.GrantsTo.Customer) != 2 || body.GrantsTo.Customer[1].Id != "1020" {
		t.Fatalf("bound %+v, %v", body, err)
	}
	if _, err := grantsBody(gen.CreateCustomerGrantsRequestObject{Body: strings.NewReader(xmlGrantBody("1000", "1002"))}); err == nil {
		t.Fatal("a body validation did not keep is bound")
	}
}
