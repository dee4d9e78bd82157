package egain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/gen"
)

// eGain's binding: the spec's schemas that name the XML documents this service reads and
// writes, and the conversions between them and the generated types.

// bindingSchemas are the spec's component schemas, loaded once, for encoding responses
// and binding request bodies.
var bindingSchemas = sync.OnceValues(func() (openapi3.Schemas, error) {
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, err
	}
	return spec.Components.Schemas, nil
})

func bindingSchema(name string) (*openapi3.Schema, error) {
	schemas, err := bindingSchemas()
	if err != nil {
		return nil, err
	}
	ref := schemas[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("spec has no schema %q", name)
	}
	return ref.Value, nil
}

// marshalXML writes v, a generated type, in the XML binding of the named schema.
func marshalXML(v any, schemaName string) ([]byte, error) {
	schema, err := bindingSchema(schemaName)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := encodeXML(&buf, value, schema); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
