package egain

import (
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The spec's XML examples against eGain's XML binding (from server/spec_test.go; the rest
// of that file checks the spec itself, in server/internal/httpapi). The helpers are named
// apart from those of the other tests of this package.

// TestXMLExamplesFollowTheBinding decodes every XML example with the schema's binding,
// validates the result against the schema and compares it with the JSON example of the
// same name: the two say the same thing.
func TestXMLExamplesFollowTheBinding(t *testing.T) {
	pairs := xmlExamplePairs(xmlContractSpec(t))
	if len(pairs) == 0 {
		t.Fatal("no XML media types in the spec")
	}
	for _, pair := range pairs {
		if pair.json == nil || len(pair.xml.Examples) == 0 {
			t.Errorf("%s: an XML media type needs a JSON sibling and examples", pair.where)
			continue
		}
		for name, example := range pair.xml.Examples {
			document, _ := example.Value.Value.(string)
			value, err := decodeXML(strings.NewReader(document), pair.xml.Schema.Value)
			if err != nil {
				t.Errorf("%s example %s: %v", pair.where, name, err)
				continue
			}
			if err := pair.xml.Schema.Value.VisitJSON(value); err != nil {
				t.Errorf("%s example %s: %v", pair.where, name, err)
			}
			jsonExample := pair.json.Examples[name]
			if jsonExample == nil {
				t.Errorf("%s example %s: no JSON example of that name", pair.where, name)
				continue
			}
			if want := jsonExample.Value.Value; !reflect.DeepEqual(value, want) {
				t.Errorf("%s example %s: XML says %v, JSON %v", pair.where, name, value, want)
			}
		}
	}
}

// xmlExamplePair is a request body's or response's XML media type and its JSON sibling.
type xmlExamplePair struct {
	where     string
	json, xml *openapi3.MediaType
}

func xmlExamplePairs(spec *openapi3.T) []xmlExamplePair {
	var pairs []xmlExamplePair
	add := func(where string, content openapi3.Content) {
		if content["application/xml"] != nil {
			pairs = append(pairs, xmlExamplePair{where: where, json: content["application/json"], xml: content["application/xml"]})
		}
	}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Ref == "" {
				add(method+" "+path+" request", op.RequestBody.Value.Content)
			}
			for status, response := range op.Responses.Map() {
				if response.Ref == "" {
					add(method+" "+path+" "+status, response.Value.Content)
				}
			}
		}
	}
	for name, response := range spec.Components.Responses {
		add("response "+name, response.Value.Content)
	}
	return pairs
}

// xmlContractSpec loads openapi/openapi.yaml itself: the embedded spec lacks the components
// that no operation refers to, which the generator prunes.
func xmlContractSpec(t *testing.T) *openapi3.T {
	t.Helper()
	spec, err := openapi3.NewLoader().LoadFromFile("../../../openapi/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return spec
}
