package httpapi

import (
	"context"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/openapi/openapitest"
	"github.com/custaccess/custaccess/server/auth"
)

// TestSpecIsValid checks the embedded contract, every example against its schema included,
// and that each operation documents what a client needs.
func TestSpecIsValid(t *testing.T) {
	embedded, err := gen.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	// The contract file also holds what the generator prunes from the embedded spec.
	for _, spec := range []*openapi3.T{embedded, openapitest.Contract(t)} {
		checkSpec(t, spec)
	}
}

func checkSpec(t *testing.T, spec *openapi3.T) {
	// kin-openapi validates examples as JSON values; XML examples are checked by
	// TestXMLExamplesFollowTheBinding (server/internal/egain).
	for _, pair := range openapitest.XMLMediaTypes(spec) {
		pair.XML.Examples = nil
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
				continue
			}
			// Any operation can meet a bad request, a bad token, the rate limit, a failure
			// and a database outage; one that takes bearer tokens also a missing scope.
			statuses := []string{"400", "401", "429", "500", "503"}
			if usesSchemeOfType(spec, *op.Security, "oauth2") {
				statuses = append(statuses, "403")
			}
			for _, status := range statuses {
				if op.Responses.Value(status) == nil {
					t.Errorf("%s %s: error response %s is not documented", method, path, status)
				}
			}
			for _, requirement := range *op.Security {
				// Anonymous access is allowed only beside HTTP Basic client authentication,
				// where RFC 6749 §2.3.1 lets the credentials move into the body.
				if len(requirement) == 0 && !usesSchemeOfType(spec, *op.Security, "http") {
					t.Errorf("%s %s: an empty security requirement lets anyone in", method, path)
				}
			}
		}
	}
	for name, ref := range spec.Components.SecuritySchemes {
		switch kind, _ := ref.Value.Extensions[principalKindExtension].(string); auth.PrincipalKind(kind) {
		case auth.PrincipalUser, auth.PrincipalClient, auth.PrincipalCustomer:
		default:
			t.Errorf("security scheme %s: %s must be user, client or customer", name, principalKindExtension)
		}
	}
}

// usesSchemeOfType tells whether one of the requirements names a scheme of that type.
func usesSchemeOfType(spec *openapi3.T, requirements openapi3.SecurityRequirements, schemeType string) bool {
	for _, requirement := range requirements {
		for name := range requirement {
			if ref := spec.Components.SecuritySchemes[name]; ref != nil && ref.Value.Type == schemeType {
				return true
			}
		}
	}
	return false
}

// TestOperationIDsAreLowerCamelCase: logs and metrics name operations by the spec's
// operationId, recovered from oapi-codegen's capitalized copy by specOperationID.
func TestOperationIDsAreLowerCamelCase(t *testing.T) {
	source := openapitest.Contract(t)
	embedded, err := gen.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	lowerCamel := regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
	for path, item := range source.Paths.Map() {
		for method, op := range item.Operations() {
			if !lowerCamel.MatchString(op.OperationID) {
				t.Errorf("%s %s: operationId %q is not lowerCamelCase", method, path, op.OperationID)
			}
			if got := specOperationID(embedded.Paths.Find(path).GetOperation(method).OperationID); got != op.OperationID {
				t.Errorf("%s %s: logs would name %q, the spec %q", method, path, got, op.OperationID)
			}
		}
	}
}
