package oracle

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/httpapi"
)

// The framework's errors name the resource of the request's path, so that a second
// resource's bodies are not reported as SelfServiceRoles'.
func TestOracleFamilyNamesTheResourceOfThePath(t *testing.T) {
	const pat = 100 // pat of servertest.OracleFixture
	unknown := &httpapi.Problem{Kind: httpapi.InvalidBodyAttribute, Subject: "(body)", Reason: `property "Colour" is unsupported`}
	readOnly := &httpapi.Problem{Kind: httpapi.InvalidBodyAttribute, Subject: "(body)", Reason: `property "RoleId" is unsupported`}
	for _, tc := range []struct {
		path                  string
		unknown, readOnlyCode string
		detail                string
	}{
		{selfServiceRolesPath(pat), "JBO-25058", "JBO-27008", "Attribute Colour isn't defined in SelfServiceRoles."},
		{selfServiceRolePath(pat, 7), "JBO-25058", "JBO-27008", "Attribute Colour isn't defined in SelfServiceRoles."},
		{selfServiceRolesPath(pat) + "/", "JBO-25058", "JBO-27008", "Attribute Colour isn't defined in SelfServiceRoles."},
		// Resources taking no body, or not served, are known by name only: RoleId is not
		// read-only there.
		{selfServiceUserPath(pat), "JBO-25058", "JBO-25058", "Attribute Colour isn't defined in customerSelfServiceUsers."},
		{selfServiceUserPath(pat) + "/child/SelfServiceRolesHistory", "JBO-25058", "JBO-25058", "Attribute Colour isn't defined in SelfServiceRolesHistory."},
		{oracleResourcesPath + "/accounts/1/child/contacts/2", "JBO-25058", "JBO-25058", "Attribute Colour isn't defined in contacts."},
	} {
		family, r := Family{}, httptest.NewRequest(http.MethodPost, tc.path, nil)
		if !strings.HasPrefix(tc.path, family.PathPrefix()) {
			t.Errorf("%s: not a path of the Oracle family (%s)", tc.path, family.PathPrefix())
		}
		got := family.FromProblem(r, unknown).(*adfError)
		if got.ErrorCode() != tc.unknown || got.detail() != tc.detail || got.path != "Colour" {
			t.Errorf("%s: unknown attribute: %s %q at %q", tc.path, got.ErrorCode(), got.detail(), got.path)
		}
		if got := family.FromProblem(r, readOnly).(*adfError); got.ErrorCode() != tc.readOnlyCode {
			t.Errorf("%s: RoleId: %s %q", tc.path, got.ErrorCode(), got.detail())
		}
	}
}
