package egain

import (
	"reflect"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/openapi/openapitest"
)

// The spec's XML examples against eGain's XML binding; the spec itself is checked in
// server/internal/httpapi/spec_test.go.

// TestXMLExamplesFollowTheBinding decodes every XML example with the schema's binding,
// validates the result against the schema and compares it with the JSON example of the
// same name: the two say the same thing.
func TestXMLExamplesFollowTheBinding(t *testing.T) {
	pairs := openapitest.XMLMediaTypes(openapitest.Contract(t))
	if len(pairs) == 0 {
		t.Fatal("no XML media types in the spec")
	}
	for _, pair := range pairs {
		if pair.JSON == nil || len(pair.XML.Examples) == 0 {
			t.Errorf("%s: an XML media type needs a JSON sibling and examples", pair.Where)
			continue
		}
		for name, example := range pair.XML.Examples {
			document, _ := example.Value.Value.(string)
			value, err := decodeXML(strings.NewReader(document), pair.XML.Schema.Value)
			if err != nil {
				t.Errorf("%s example %s: %v", pair.Where, name, err)
				continue
			}
			if err := pair.XML.Schema.Value.VisitJSON(value); err != nil {
				t.Errorf("%s example %s: %v", pair.Where, name, err)
			}
			jsonExample := pair.JSON.Examples[name]
			if jsonExample == nil {
				t.Errorf("%s example %s: no JSON example of that name", pair.Where, name)
				continue
			}
			if want := jsonExample.Value.Value; !reflect.DeepEqual(value, want) {
				t.Errorf("%s example %s: XML says %v, JSON %v", pair.Where, name, value, want)
			}
		}
	}
}
