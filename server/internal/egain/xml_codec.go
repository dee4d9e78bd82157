package egain

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// XML bodies follow the binding that the spec's `xml` objects declare (eGain's v12 binding):
// a document is decoded into the JSON-shaped value its schema validates, so XML and JSON
// requests pass the same validation and bind to the same generated types, and a JSON-shaped
// value is encoded back into XML for responses.
//
// What the binding cannot express is refused while decoding, with bounded work: malformed
// XML, a DTD or entity declaration, another root element or namespace, elements nested more
// than maxXMLDepth deep or more than maxXMLTokens tokens. Unknown elements and unqualified
// attributes become members of the value, so the schema refuses them as it refuses unknown
// JSON members.

const (
	// maxXMLDepth is four times the deepest binding (grants/grantsTo/customer/link).
	maxXMLDepth = 16
	// maxXMLTokens leaves room for 75 customers with whitespace and comments.
	maxXMLTokens = 4096
)

// xmlProblem names why a document does not follow the binding; each has a message.
type xmlProblem string

const (
	xmlSyntax     xmlProblem = "syntax"     // not well-formed
	xmlDoctype    xmlProblem = "doctype"    // a DTD or entity declaration
	xmlRoot       xmlProblem = "root"       // another root element or namespace
	xmlNamespace  xmlProblem = "namespace"  // an element outside the binding's namespace
	xmlDepth      xmlProblem = "depth"      // nested deeper than maxXMLDepth
	xmlTokens     xmlProblem = "tokens"     // more than maxXMLTokens tokens
	xmlUnexpected xmlProblem = "unexpected" // content the binding has no place for
)

// xmlBindingError is a document that does not follow the binding.
type xmlBindingError struct {
	problem xmlProblem
	// element is the element concerned (the expected root for xmlRoot).
	element string
	// namespace is the binding's namespace, for xmlRoot and xmlNamespace.
	namespace string
	// line is where a syntax error is.
	line int
}

func (e *xmlBindingError) Error() string {
	return fmt.Sprintf("XML %s (element %q, namespace %q, line %d)", e.problem, e.element, e.namespace, e.line)
}

// xmlReader reads tokens, counting them and the depth, and refuses directives.
type xmlReader struct {
	decoder *xml.Decoder
	tokens  int
	depth   int
}

func (x *xmlReader) next() (xml.Token, error) {
	token, err := x.decoder.Token()
	if errors.Is(err, io.EOF) {
		return nil, err
	}
	if err != nil {
		line, _ := x.decoder.InputPos()
		var syntax *xml.SyntaxError
		if errors.As(err, &syntax) {
			line = syntax.Line
		}
		return nil, &xmlBindingError{problem: xmlSyntax, line: line}
	}
	if x.tokens++; x.tokens > maxXMLTokens {
		return nil, &xmlBindingError{problem: xmlTokens}
	}
	switch t := token.(type) {
	case xml.Directive:
		return nil, &xmlBindingError{problem: xmlDoctype}
	case xml.StartElement:
		if x.depth++; x.depth > maxXMLDepth {
			return nil, &xmlBindingError{problem: xmlDepth, element: t.Name.Local}
		}
	case xml.EndElement:
		x.depth--
	}
	return token, nil
}

// nextInElement is next where the document may not end.
func (x *xmlReader) nextInElement() (xml.Token, error) {
	token, err := x.next()
	if errors.Is(err, io.EOF) {
		line, _ := x.decoder.InputPos()
		return nil, &xmlBindingError{problem: xmlSyntax, line: line}
	}
	return token, err
}

// decodeXML decodes a document into the JSON-shaped value of schema, whose `xml` object
// names the root element and its namespace. A leading UTF-8 byte order mark is skipped.
func decodeXML(r io.Reader, schema *openapi3.Schema) (any, error) {
	root, namespace := xmlRootName(schema)
	x := &xmlReader{decoder: xml.NewDecoder(httpapi.WithoutBOM(r))}
	var start xml.StartElement
	for start.Name.Local == "" {
		token, err := x.nextInElement()
		if err != nil {
			return nil, err
		}
		switch t := token.(type) {
		case xml.StartElement:
			start = t
		case xml.CharData:
			if !isXMLSpace(t) {
				return nil, &xmlBindingError{problem: xmlRoot, element: root, namespace: namespace}
			}
		}
	}
	if start.Name.Local != root || start.Name.Space != namespace {
		return nil, &xmlBindingError{problem: xmlRoot, element: root, namespace: namespace}
	}
	value, err := x.element(start, schema, namespace)
	if err != nil {
		return nil, err
	}
	// After the root only whitespace, comments and processing instructions may follow.
	for {
		token, err := x.next()
		if errors.Is(err, io.EOF) {
			return value, nil
		}
		if err != nil {
			return nil, err
		}
		if t, isText := token.(xml.CharData); (isText && !isXMLSpace(t)) || (!isText && !isXMLMarkup(token)) {
			return nil, &xmlBindingError{problem: xmlUnexpected, element: root}
		}
	}
}

// element decodes the content of start, which the schema describes.
func (x *xmlReader) element(start xml.StartElement, schema *openapi3.Schema, namespace string) (any, error) {
	switch schemaType(schema) {
	case openapi3.TypeObject:
		return x.object(start, schema, namespace)
	case openapi3.TypeArray:
		return x.wrappedArray(start, schema, namespace)
	}
	if len(xmlAttributes(start)) > 0 {
		return nil, &xmlBindingError{problem: xmlUnexpected, element: start.Name.Local}
	}
	text, err := x.text(start)
	if err != nil {
		return nil, err
	}
	return scalarValue(text, schema), nil
}

func (x *xmlReader) object(start xml.StartElement, schema *openapi3.Schema, namespace string) (map[string]any, error) {
	object := map[string]any{}
	set := func(key string, value any, element string) error {
		if _, duplicate := object[key]; duplicate {
			return &xmlBindingError{problem: xmlUnexpected, element: element}
		}
		object[key] = value
		return nil
	}
	for _, attr := range xmlAttributes(start) {
		// Qualified attributes (xsi:type, ...) are no part of the binding.
		if attr.Name.Space != "" {
			return nil, &xmlBindingError{problem: xmlUnexpected, element: start.Name.Local}
		}
		// A member the binding writes as an element may not come as an attribute.
		if _, _, asElement := xmlProperty(schema, attr.Name.Local, false); asElement {
			return nil, &xmlBindingError{problem: xmlUnexpected, element: start.Name.Local}
		}
		key, property := attr.Name.Local, (*openapi3.Schema)(nil)
		if name, p, ok := xmlProperty(schema, attr.Name.Local, true); ok {
			key, property = name, p
		}
		var value any = attr.Value
		if property != nil {
			value = scalarValue(attr.Value, property)
		}
		if err := set(key, value, start.Name.Local); err != nil {
			return nil, err
		}
	}
	err := x.children(start, namespace, func(t xml.StartElement) error {
		// A member the binding writes as an attribute may not come as an element.
		if _, _, asAttribute := xmlProperty(schema, t.Name.Local, true); asAttribute {
			return &xmlBindingError{problem: xmlUnexpected, element: t.Name.Local}
		}
		name, property, known := xmlProperty(schema, t.Name.Local, false)
		if !known {
			text, err := x.skip()
			if err != nil {
				return err
			}
			return set(t.Name.Local, text, t.Name.Local)
		}
		if schemaType(property) == openapi3.TypeArray && !isWrapped(property) {
			item, err := x.element(t, property.Items.Value, namespace)
			if err != nil {
				return err
			}
			items, isList := object[name].([]any)
			if !isList && object[name] != nil {
				return &xmlBindingError{problem: xmlUnexpected, element: t.Name.Local}
			}
			object[name] = append(items, item)
			return nil
		}
		value, err := x.element(t, property, namespace)
		if err != nil {
			return err
		}
		return set(name, value, t.Name.Local)
	})
	if err != nil {
		return nil, err
	}
	return object, nil
}

// wrappedArray decodes an array whose items are wrapped in the element start.
func (x *xmlReader) wrappedArray(start xml.StartElement, schema *openapi3.Schema, namespace string) ([]any, error) {
	items := []any{}
	itemName := wrappedItemName(schema, start.Name.Local)
	err := x.children(start, namespace, func(t xml.StartElement) error {
		if t.Name.Local != itemName {
			return &xmlBindingError{problem: xmlUnexpected, element: t.Name.Local}
		}
		item, err := x.element(t, schema.Items.Value, namespace)
		if err != nil {
			return err
		}
		items = append(items, item)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// children reads the content of start up to its end, handing each child element, which
// must be in the binding's namespace, to each; text other than whitespace is refused.
func (x *xmlReader) children(start xml.StartElement, namespace string, each func(xml.StartElement) error) error {
	for {
		token, err := x.nextInElement()
		if err != nil {
			return err
		}
		switch t := token.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if !isXMLSpace(t) {
				return &xmlBindingError{problem: xmlUnexpected, element: start.Name.Local}
			}
		case xml.StartElement:
			if t.Name.Space != namespace {
				return &xmlBindingError{problem: xmlNamespace, element: t.Name.Local, namespace: namespace}
			}
			if err := each(t); err != nil {
				return err
			}
		}
	}
}

// text reads the text of an element that holds no elements.
func (x *xmlReader) text(start xml.StartElement) (string, error) {
	var text strings.Builder
	for {
		token, err := x.nextInElement()
		if err != nil {
			return "", err
		}
		switch t := token.(type) {
		case xml.EndElement:
			return text.String(), nil
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			return "", &xmlBindingError{problem: xmlUnexpected, element: start.Name.Local}
		}
	}
}

// skip reads past an element the binding does not know, returning its direct text.
func (x *xmlReader) skip() (string, error) {
	var text strings.Builder
	for depth := 1; ; {
		token, err := x.nextInElement()
		if err != nil {
			return "", err
		}
		switch t := token.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return text.String(), nil
			}
		case xml.CharData:
			if depth == 1 {
				text.Write(t)
			}
		}
	}
}

// xmlProperty finds the property an element (or, with attribute, an attribute) stands for.
func xmlProperty(schema *openapi3.Schema, name string, attribute bool) (string, *openapi3.Schema, bool) {
	for key, ref := range schemaProperties(schema) {
		property := ref.Value
		if isXMLAttribute(property) != attribute {
			continue
		}
		if xmlElementName(key, property) == name {
			return key, property, true
		}
	}
	return "", nil, false
}

// xmlElementName is the name of a property's elements: an unwrapped array's items are
// named by the items' `xml.name` or the property; anything else by its own `xml.name` or
// the property.
func xmlElementName(key string, property *openapi3.Schema) string {
	named := property
	if schemaType(property) == openapi3.TypeArray && !isWrapped(property) && property.Items != nil {
		named = property.Items.Value
	}
	if named.XML != nil && named.XML.Name != "" {
		return named.XML.Name
	}
	return key
}

// wrappedItemName is the name of a wrapped array's items: the items' `xml.name`, else the
// wrapper's.
func wrappedItemName(schema *openapi3.Schema, wrapper string) string {
	if items := schema.Items.Value; items.XML != nil && items.XML.Name != "" {
		return items.XML.Name
	}
	return wrapper
}

// encodeXML writes value, the JSON-shaped form of schema, as an XML document whose root
// element and namespace the schema's `xml` object names.
func encodeXML(w io.Writer, value any, schema *openapi3.Schema) error {
	root, namespace := xmlRootName(schema)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	encoder := xml.NewEncoder(w)
	if err := encodeElement(encoder, xml.Name{Space: namespace, Local: root}, value, schema); err != nil {
		return err
	}
	return encoder.Flush()
}

func encodeElement(encoder *xml.Encoder, name xml.Name, value any, schema *openapi3.Schema) error {
	start := xml.StartElement{Name: name}
	if items, isArray := value.([]any); isArray {
		return encodeWrappedArray(encoder, start, items, schema)
	}
	object, isObject := value.(map[string]any)
	if !isObject {
		return encodeTokens(encoder, start, xml.CharData(scalarText(value)), start.End())
	}
	keys := orderedProperties(schema)
	properties := schemaProperties(schema)
	for _, key := range keys {
		if v, present := object[key]; present && isXMLAttribute(properties[key].Value) {
			start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: xmlElementName(key, properties[key].Value)}, Value: scalarText(v)})
		}
	}
	if err := encoder.EncodeToken(start); err != nil {
		return err
	}
	for _, key := range keys {
		v, present := object[key]
		property := properties[key].Value
		if !present || isXMLAttribute(property) {
			continue
		}
		child := xml.Name{Local: xmlElementName(key, property)}
		items, isArray := v.([]any)
		if !isArray || isWrapped(property) {
			if err := encodeElement(encoder, child, v, property); err != nil {
				return err
			}
			continue
		}
		for _, item := range items {
			if err := encodeElement(encoder, child, item, property.Items.Value); err != nil {
				return err
			}
		}
	}
	return encoder.EncodeToken(start.End())
}

// encodeWrappedArray writes the items of an array inside the element start.
func encodeWrappedArray(encoder *xml.Encoder, start xml.StartElement, items []any, schema *openapi3.Schema) error {
	itemName := xml.Name{Local: wrappedItemName(schema, start.Name.Local)}
	if err := encoder.EncodeToken(start); err != nil {
		return err
	}
	for _, item := range items {
		if err := encodeElement(encoder, itemName, item, schema.Items.Value); err != nil {
			return err
		}
	}
	return encoder.EncodeToken(start.End())
}

func encodeTokens(encoder *xml.Encoder, tokens ...xml.Token) error {
	for _, token := range tokens {
		if err := encoder.EncodeToken(token); err != nil {
			return err
		}
	}
	return nil
}

// orderedProperties lists a schema's properties by their `x-order`, then by name: the
// order of the generated structs' fields, and so of JSON bodies.
func orderedProperties(schema *openapi3.Schema) []string {
	properties := schemaProperties(schema)
	order := func(key string) float64 {
		if n, ok := properties[key].Value.Extensions["x-order"].(float64); ok {
			return n
		}
		return math.MaxFloat64
	}
	keys := make([]string, 0, len(properties))
	for key := range properties {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if oa, ob := order(a), order(b); oa != ob {
			if oa < ob {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// schemaType is a schema's type, also when it is given by allOf (a $ref with an `xml`
// object beside it must be written as allOf in OpenAPI 3.0).
func schemaType(schema *openapi3.Schema) string {
	if schema.Type != nil && len(*schema.Type) > 0 {
		return (*schema.Type)[0]
	}
	for _, ref := range schema.AllOf {
		if t := schemaType(ref.Value); t != "" {
			return t
		}
	}
	if len(schema.Properties) > 0 {
		return openapi3.TypeObject
	}
	return ""
}

func schemaProperties(schema *openapi3.Schema) openapi3.Schemas {
	if len(schema.Properties) > 0 || len(schema.AllOf) == 0 {
		return schema.Properties
	}
	return schema.AllOf[0].Value.Properties
}

func xmlRootName(schema *openapi3.Schema) (name, namespace string) {
	if schema.XML == nil {
		return "", ""
	}
	return schema.XML.Name, schema.XML.Namespace
}

func isXMLAttribute(schema *openapi3.Schema) bool { return schema.XML != nil && schema.XML.Attribute }

func isWrapped(schema *openapi3.Schema) bool { return schema.XML != nil && schema.XML.Wrapped }

// xmlAttributes drops namespace declarations, which are no data.
func xmlAttributes(start xml.StartElement) []xml.Attr {
	return slices.DeleteFunc(slices.Clone(start.Attr), func(a xml.Attr) bool {
		return a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns")
	})
}

func isXMLSpace(text xml.CharData) bool { return len(bytes.TrimSpace(text)) == 0 }

func isXMLMarkup(token xml.Token) bool {
	switch token.(type) {
	case xml.Comment, xml.ProcInst:
		return true
	}
	return false
}

// scalarValue is the JSON value of an XML text for a scalar schema; a text that is not of
// the schema's type stays a string, for the schema to refuse.
func scalarValue(text string, schema *openapi3.Schema) any {
	switch schemaType(schema) {
	case openapi3.TypeInteger, openapi3.TypeNumber:
		if n, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil {
			return n
		}
	case openapi3.TypeBoolean:
		if b, err := strconv.ParseBool(strings.TrimSpace(text)); err == nil {
			return b
		}
	}
	return text
}

func scalarText(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(value)
}
