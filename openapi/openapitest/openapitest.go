// Package openapitest reads the contract for tests: openapi.yaml as written (with the
// components the generator prunes from the embedded spec), and its XML media types.
package openapitest

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/openapi"
)

// Contract loads openapi.yaml as written: the embedded spec lacks the components that no
// operation refers to, which the generator prunes.
func Contract(t testing.TB) *openapi3.T {
	t.Helper()
	spec, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// MediaTypePair is a request body's or response's XML media type and its JSON sibling.
type MediaTypePair struct {
	Where     string
	JSON, XML *openapi3.MediaType
}

// XMLMediaTypes lists every request body and response of spec that has an XML media type.
func XMLMediaTypes(spec *openapi3.T) []MediaTypePair {
	var pairs []MediaTypePair
	add := func(where string, content openapi3.Content) {
		if content["application/xml"] != nil {
			pairs = append(pairs, MediaTypePair{Where: where, JSON: content["application/json"], XML: content["application/xml"]})
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
