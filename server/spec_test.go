package server

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/gen"
)

// TestSpecIsValid checks the embedded contract, every example against its schema included,
// and that each operation documents what a client needs.
func TestSpecIsValid(t *testing.T) {
	spec, err := gen.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("spec: %v", err)
	}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s %s: operationId, summary and tag are required", method, path)
			}
			if op.Security == nil || len(*op.Security) == 0 {
				t.Errorf("%s %s: no security requirement", method, path)
			}
			for _, status := range []string{"400", "401", "403", "500"} {
				if op.Responses.Value(status) == nil {
					t.Errorf("%s %s: error response %s is not documented", method, path, status)
				}
			}
		}
	}
	for name, ref := range spec.Components.SecuritySchemes {
		if kind, _ := ref.Value.Extensions[principalKindExtension].(string); kind != string(PrincipalUser) && kind != string(PrincipalClient) {
			t.Errorf("security scheme %s: %s must be user or client", name, principalKindExtension)
		}
	}
}
