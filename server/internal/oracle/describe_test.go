package oracle_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// decodeDescription decodes a describe document, checking status and media type.
func decodeDescription(t *testing.T, rec interface {
	Header() http.Header
}, code int, body []byte) gen.AdfDescription {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("status %d; body %s", code, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.description+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var d gen.AdfDescription
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func attributeNames(d gen.AdfResourceDescription) []string {
	names := make([]string, len(d.Attributes))
	for i, a := range d.Attributes {
		names[i] = a.Name
	}
	return names
}

// TestDescribeMatchesSchemaAndGo: the attributes described are exactly the properties of
// the schema (but links and children) and exactly the Go attribute lists, in the same
// order; a property added to one and not the others fails here.
func TestDescribeMatchesSchemaAndGo(t *testing.T) {
	spec, err := gen.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-viewer")
		rec := h.Do(servertest.ADF(http.MethodGet, oracle.ResourcesPath+"/customerSelfServiceUsers/describe", token, ""))
		users := decodeDescription(t, rec, rec.Code, rec.Body.Bytes())
		rec = h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"/describe", token, ""))
		roles := decodeDescription(t, rec, rec.Code, rec.Body.Bytes())
		rec = h.Do(servertest.ADF(http.MethodGet, oracle.SelfServiceUserPath(servertest.Pat)+"/child/SelfServiceRolesHistory/describe", token, ""))
		history := decodeDescription(t, rec, rec.Code, rec.Body.Bytes())

		for _, tc := range []struct {
			name     string
			schema   string
			children []string
			goNames  []string
			got      gen.AdfResourceDescription
		}{
			{"customerSelfServiceUsers", "SelfServiceUser", []string{"SelfServiceRoles", "SelfServiceRolesHistory"}, oracle.UserAttributeNames(), users.Resources["customerSelfServiceUsers"]},
			{"SelfServiceRoles", "SelfServiceRole", nil, oracle.RoleAttributeNames(), roles.Resources["SelfServiceRoles"]},
			{"SelfServiceRoles as a child", "SelfServiceRole", nil, oracle.RoleAttributeNames(), (*users.Resources["customerSelfServiceUsers"].Children)["SelfServiceRoles"]},
			{"SelfServiceRolesHistory", "SelfServiceRoleHistory", nil, oracle.HistoryAttributeNames(), history.Resources["SelfServiceRolesHistory"]},
			{"SelfServiceRolesHistory as a child", "SelfServiceRoleHistory", nil, oracle.HistoryAttributeNames(), (*users.Resources["customerSelfServiceUsers"].Children)["SelfServiceRolesHistory"]},
		} {
			var schemaNames []string
			for name := range spec.Components.Schemas[tc.schema].Value.Properties {
				if name != "links" && !slices.Contains(tc.children, name) {
					schemaNames = append(schemaNames, name)
				}
			}
			slices.Sort(schemaNames)
			if got := attributeNames(tc.got); !slices.Equal(got, schemaNames) || !slices.Equal(got, tc.goNames) {
				t.Errorf("%s:\n describe %v\n   schema %v\n       Go %v", tc.name, got, schemaNames, tc.goNames)
			}
		}
		if len(users.Resources) != 1 || len(roles.Resources) != 1 || len(history.Resources) != 1 {
			t.Errorf("resources: %d, %d and %d, want one each", len(users.Resources), len(roles.Resources), len(history.Resources))
		}
	})
}

// TestDescribeAttributes: what each attribute says comes from the schema and its x-oracle-*
// extensions, and queryable from what q accepts.
func TestDescribeAttributes(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		rec := h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"/describe", h.UserToken("css-admin"), ""))
		d := decodeDescription(t, rec, rec.Code, rec.Body.Bytes()).Resources["SelfServiceRoles"]
		byName := map[string]gen.AdfAttributeDescription{}
		for _, a := range d.Attributes {
			byName[a.Name] = a
		}
		for _, tc := range []struct {
			name                            string
			typ                             gen.AdfAttributeDescriptionType
			updatable, mandatory, queryable bool
			allow                           gen.AdfAttributeDescriptionAllowChanges
			maxLength                       string
		}{
			{"RelationshipTypeCd", "string", true, true, true, gen.AllowChangesAlways, "320"},
			{"RequestTypeCd", "string", true, false, true, gen.AllowChangesAlways, "30"},
			{"AccountPartyId", "integer", true, false, true, gen.AllowChangesWhileNew, ""},
			{"LoginId", "string", true, false, true, gen.AllowChangesWhileNew, "320"},
			{"RoleId", "integer", false, false, true, gen.AllowChangesNever, ""},
			{"CanDeleteFlag", "boolean", false, false, false, gen.AllowChangesNever, ""},
			{"StartDate", "date", false, false, true, gen.AllowChangesNever, ""},
			{"CreationDate", "datetime", false, false, true, gen.AllowChangesNever, ""},
			{"AccountPartyName", "string", false, false, true, gen.AllowChangesNever, "360"},
		} {
			a, ok := byName[tc.name]
			if !ok {
				t.Errorf("%s not described", tc.name)
				continue
			}
			maxLength := ""
			if a.MaxLength != nil {
				maxLength = *a.MaxLength
			}
			if a.Type != tc.typ || a.Updatable != tc.updatable || a.Mandatory != tc.mandatory || a.Queryable != tc.queryable ||
				a.AllowChanges != tc.allow || maxLength != tc.maxLength || a.Title == nil {
				t.Errorf("%s: %+v", tc.name, a)
			}
		}
		var actions []string
		for _, a := range append(d.Collection.Actions, d.Item.Actions...) {
			actions = append(actions, string(a.Name)+" "+string(a.Method))
		}
		if want := []string{"get GET", "create POST", "get GET", "update PATCH", "delete DELETE"}; !slices.Equal(actions, want) {
			t.Errorf("actions %v, want %v", actions, want)
		}
		if d.Title != "Self-Service Role" || d.TitlePlural != "Self-Service Roles" || len(d.Collection.Finders) != 2 {
			t.Errorf("title %q/%q, finders %+v", d.Title, d.TitlePlural, d.Collection.Finders)
		}
		if len(d.Links) != 1 || d.Links[0].Href != "http://example.com"+servertest.RolesPath(servertest.Pat)+"/describe" {
			t.Errorf("links %+v", d.Links)
		}
	})
}

// describe is a path of its own, never a UserId or RoleId; its refusals are the reads'.
func TestDescribeRules(t *testing.T) {
	describeRoles := func(login string, userID string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			var token string
			if login != "" {
				token = h.UserToken(login)
			}
			return servertest.ADF(http.MethodGet, oracle.ResourcesPath+"/customerSelfServiceUsers/"+userID+"/child/SelfServiceRoles/describe", token, "")
		}
	}
	describeUsers := func(login string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			return servertest.ADF(http.MethodGet, oracle.ResourcesPath+"/customerSelfServiceUsers/describe", h.UserToken(login), "")
		}
	}
	runOracleCases(t, nil, []oracleCase{
		{name: "roles, as a viewer", status: 200, request: describeRoles("css-viewer", "100")},
		{name: "roles, as a manager", status: 200, request: describeRoles("css-admin", "100")},
		{name: "users, as a viewer", status: 200, request: describeUsers("css-viewer")},
		{name: "roles, without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: describeRoles("css-none", "100")},
		{name: "users, without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: describeUsers("css-none")},
		{name: "roles, without a token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED", request: describeRoles("", "100")},
		{name: "roles of a user that does not exist", status: 404, code: "JBO-25020", path: "UserId", request: describeRoles("css-viewer", "999")},
		{name: "roles of a UserId that is not one", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "UserId", request: describeRoles("css-viewer", "describe")},
		{name: "describe with a body-less POST", status: 405, code: "ADF_REST_METHOD_NOT_ALLOWED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat)+"/describe", h.UserToken("css-admin"), `{}`)
			}},
		{name: "an unknown query parameter", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", path: "limit",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"/describe?limit=1", h.UserToken("css-admin"), "")
			}},
	})
}

// describedShape summarizes a resource of a describe document: which parts it has, and its
// children's shapes, as "title,attributes,collection,item,links[children...]".
func describedShape(d gen.AdfResourceDescription) string {
	var parts []string
	if d.Title != "" && d.TitlePlural != "" {
		parts = append(parts, "title")
	}
	if len(d.Attributes) > 0 {
		parts = append(parts, "attributes")
	}
	if d.Collection != nil {
		parts = append(parts, "collection")
	}
	if d.Item != nil {
		parts = append(parts, "item")
	}
	if len(d.Links) > 0 {
		parts = append(parts, "links")
	}
	shape := strings.Join(parts, ",")
	if d.Children != nil {
		var children []string
		for _, name := range slices.Sorted(maps.Keys(*d.Children)) {
			children = append(children, name+":"+describedShape((*d.Children)[name]))
		}
		shape += "[" + strings.Join(children, " ") + "]"
	}
	return shape
}

// TestDescribeMetadataMode: metadataMode and includeChildren shape every describe, the
// version root's included; the root lists the top-level resources, each linking to its own
// describe (followed by the harness: 200).
func TestDescribeMetadataMode(t *testing.T) {
	const (
		full     = "title,attributes,collection,item,links"
		fullKid  = "title,attributes,collection,item"
		children = "[SelfServiceRoles:" + fullKid + " SelfServiceRolesHistory:" + fullKid + "]"
	)
	root := oracle.ResourcesPath + "/describe"
	users := oracle.ResourcesPath + "/customerSelfServiceUsers/describe"
	lookups := oracle.ResourcesPath + "/fndStaticLookups/describe"
	roles := servertest.RolesPath(servertest.Pat) + "/describe"
	history := oracle.SelfServiceUserPath(servertest.Pat) + "/child/SelfServiceRolesHistory/describe"
	for _, tc := range []struct {
		name, path string
		want       map[string]string
	}{
		{"root", root, map[string]string{"customerSelfServiceUsers": full + children, "fndStaticLookups": full}},
		{"root full", root + "?metadataMode=full", map[string]string{"customerSelfServiceUsers": full + children, "fndStaticLookups": full}},
		{"root full without children", root + "?metadataMode=full&includeChildren=false", map[string]string{"customerSelfServiceUsers": full, "fndStaticLookups": full}},
		{"root minimal", root + "?metadataMode=minimal", map[string]string{"customerSelfServiceUsers": "title,links", "fndStaticLookups": "title,links"}},
		{"root minimal with children", root + "?metadataMode=minimal&includeChildren=true",
			map[string]string{"customerSelfServiceUsers": "title,links[SelfServiceRoles:title SelfServiceRolesHistory:title]", "fndStaticLookups": "title,links"}},
		{"root list", root + "?metadataMode=list", map[string]string{"customerSelfServiceUsers": "links", "fndStaticLookups": "links"}},
		{"users", users, map[string]string{"customerSelfServiceUsers": full + children}},
		{"users list", users + "?metadataMode=list", map[string]string{"customerSelfServiceUsers": "links"}},
		{"users minimal", users + "?metadataMode=minimal", map[string]string{"customerSelfServiceUsers": "title,links"}},
		{"lookups", lookups, map[string]string{"fndStaticLookups": full}},
		{"lookups minimal", lookups + "?metadataMode=minimal", map[string]string{"fndStaticLookups": "title,links"}},
		{"roles minimal", roles + "?metadataMode=minimal", map[string]string{"SelfServiceRoles": "title,links"}},
		{"history list", history + "?metadataMode=list", map[string]string{"SelfServiceRolesHistory": "links"}},
		{"history full", history + "?metadataMode=full&includeChildren=true", map[string]string{"SelfServiceRolesHistory": full}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := newOracleHarness(t, dialect)
				rec := h.Do(servertest.ADF(http.MethodGet, tc.path, h.UserToken("css-viewer"), ""))
				d := decodeDescription(t, rec, rec.Code, rec.Body.Bytes())
				got := map[string]string{}
				for name, r := range d.Resources {
					got[name] = describedShape(r)
				}
				if !maps.Equal(got, tc.want) {
					t.Errorf("resources\n got %v\nwant %v", got, tc.want)
				}
			})
		})
	}
}

// TestDescribeRootIsTheResourcesDescribes: in full, the version root tells of each resource
// what the resource's own describe tells (but its link): one source.
func TestDescribeRootIsTheResourcesDescribes(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-admin")
		rec := h.Do(servertest.ADF(http.MethodGet, oracle.ResourcesPath+"/describe", token, ""))
		root := decodeDescription(t, rec, rec.Code, rec.Body.Bytes())
		for _, name := range []string{"customerSelfServiceUsers", "fndStaticLookups"} {
			rec := h.Do(servertest.ADF(http.MethodGet, oracle.ResourcesPath+"/"+name+"/describe", token, ""))
			own := decodeDescription(t, rec, rec.Code, rec.Body.Bytes()).Resources[name]
			listed := root.Resources[name]
			if want := "http://example.com" + oracle.ResourcesPath + "/" + name + "/describe"; len(listed.Links) != 1 || listed.Links[0].Href != want || listed.Links[0].Rel != "self" {
				t.Errorf("%s: links %+v, want self %s", name, listed.Links, want)
			}
			listed.Links, own.Links = nil, nil
			if jsonOf(listed) != jsonOf(own) {
				t.Errorf("%s:\nroot %s\n own %s", name, jsonOf(listed), jsonOf(own))
			}
		}
		if len(root.Resources) != 2 {
			t.Errorf("root describes %d resources, want 2", len(root.Resources))
		}
	})
}

// TestDescribeModeAndRootRules: refusals of the describes' new parameters and of the version root,
// in ADF's error shape.
func TestDescribeModeAndRootRules(t *testing.T) {
	get := getAs("")
	root := oracle.ResourcesPath + "/describe"
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "root as a viewer", status: 200, request: get("css-viewer", root)},
		{name: "root without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", root)},
		{name: "root without a token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED", request: get("", root)},
		{name: "lookups' describe without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", oracle.ResourcesPath+"/fndStaticLookups/describe")},
		{name: "an unknown metadataMode", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "metadataMode", request: get("css-viewer", root+"?metadataMode=everything")},
		{name: "an unknown metadataMode on the roles", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "metadataMode", request: get("css-viewer", servertest.RolesPath(servertest.Pat)+"/describe?metadataMode=List")},
		{name: "includeChildren not a boolean", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "includeChildren", request: get("css-viewer", root+"?includeChildren=maybe")},
		{name: "an unknown parameter", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", path: "showAnnotations", request: get("css-viewer", root+"?showAnnotations=true")},
		{name: "the roles' describe of an unknown user", status: 404, code: "JBO-25020", path: "UserId", request: get("css-viewer", servertest.RolesPath(999)+"/describe?metadataMode=list")},
		{name: "POST to the root's describe", status: 405, code: "ADF_REST_METHOD_NOT_ALLOWED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, root, h.UserToken("css-admin"), `{}`)
			}},
	})
}
