package oracle_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

const lookupsPath = oracle.ResourcesPath + "/fndStaticLookups"

// lookupCodes lists a page of lookups as "TYPE/CODE=Meaning" (with "!" when disabled).
func lookupCodes(c gen.StaticLookupCollection) []string {
	codes := []string{}
	for _, l := range c.Items {
		code := l.LookupType + "/" + l.LookupCode + "=" + l.Meaning
		if l.EnabledFlag == nil || !*l.EnabledFlag {
			code += "!"
		}
		codes = append(codes, code)
	}
	return codes
}

var (
	relationshipTypeCodes = []string{
		"ORA_SVC_CSS_REL_TYPE_CD/ORA_CSS_ACC_ADMIN=Account Administrator", "ORA_SVC_CSS_REL_TYPE_CD/ORA_CSS_ACC_MANAGER=Account Manager",
		"ORA_SVC_CSS_REL_TYPE_CD/ORA_CSS_RETIRED=Retired role!", "ORA_SVC_CSS_REL_TYPE_CD/ORA_CSS_USER=User",
	}
	requestTypeCodes = []string{
		"ORA_SVC_CSS_REQ_TYPE_CD/B2B=Business to business", "ORA_SVC_CSS_REQ_TYPE_CD/B2C=Business to consumer",
		"ORA_SVC_CSS_REQ_TYPE_CD/B2X=Retired request type!",
	}
)

// TestStaticLookups: the lookup resource lists the codes of the roles' lookup types, by
// finder and q, with the collection conventions.
func TestStaticLookups(t *testing.T) {
	for _, tc := range []struct {
		name, login, query string
		version            string
		codes              []string
		hasMore            bool
		total              *int64
		links              int
	}{
		{name: "every code", login: "css-viewer", codes: append(slices.Clone(relationshipTypeCodes), requestTypeCodes...), links: 1},
		{name: "the relationship types", login: "css-viewer", query: "?finder=LookupTypeFinder;LookupType=ORA_SVC_CSS_REL_TYPE_CD", codes: relationshipTypeCodes, links: 1},
		{name: "the request types, encoded as the lov link is", login: "css-admin", query: "?finder=LookupTypeFinder%3BLookupType%3DORA_SVC_CSS_REQ_TYPE_CD", codes: requestTypeCodes, links: 1},
		{name: "a type without codes", login: "css-viewer", query: "?finder=LookupTypeFinder;LookupType=ORA_NONE", codes: []string{}, links: 1},
		{name: "a type that looks like SQL", login: "css-viewer", query: "?finder=LookupTypeFinder;LookupType=' OR 1=1 --", codes: []string{}, links: 1},
		{name: "a page", login: "css-viewer", query: "?finder=LookupTypeFinder;LookupType=ORA_SVC_CSS_REL_TYPE_CD&limit=2&offset=1&totalResults=true",
			codes: relationshipTypeCodes[1:3], hasMore: true, total: pointer(int64(4)), links: 1},
		{name: "onlyData", login: "css-viewer", query: "?finder=LookupTypeFinder;LookupType=ORA_SVC_CSS_REQ_TYPE_CD&onlyData=true", codes: requestTypeCodes},
		{name: "q by example", login: "css-viewer", version: "1", query: "?q=LookupType=ORA_SVC_CSS_REQ_TYPE_CD;LookupCode=B2C", codes: requestTypeCodes[1:2], links: 1},
		{name: "q rowmatch", login: "css-viewer", version: "2", query: "?q=Meaning LIKE 'Account%25'", codes: relationshipTypeCodes[:2], links: 1},
		{name: "q with a finder", login: "css-viewer", version: "2", query: "?finder=LookupTypeFinder;LookupType=ORA_SVC_CSS_REL_TYPE_CD&q=LookupCode='B2B'", codes: []string{}, links: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
				h := newOracleHarness(t, dialect)
				r := servertest.ADF(http.MethodGet, lookupsPath+strings.ReplaceAll(tc.query, " ", "%20"), h.UserToken(tc.login), "")
				if tc.version != "" {
					r = r.With("REST-Framework-Version", tc.version)
				}
				rec := h.Do(r)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d; body %s", rec.Code, rec.Body)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.resourcecollection+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				var c gen.StaticLookupCollection
				decoder := json.NewDecoder(rec.Body)
				decoder.DisallowUnknownFields()
				if err := decoder.Decode(&c); err != nil {
					t.Fatal(err)
				}
				if got := lookupCodes(c); !slices.Equal(got, tc.codes) {
					t.Errorf("codes %q, want %q", got, tc.codes)
				}
				if c.Count != int32(len(tc.codes)) || c.HasMore != tc.hasMore {
					t.Errorf("count %d hasMore %v, want %d %v", c.Count, c.HasMore, len(tc.codes), tc.hasMore)
				}
				if (c.TotalResults == nil) != (tc.total == nil) || (tc.total != nil && *c.TotalResults != *tc.total) {
					t.Errorf("totalResults %v, want %v", c.TotalResults, tc.total)
				}
				if links := 0; c.Links != nil {
					if links = len(*c.Links); links != tc.links || (*c.Links)[0].Rel != "self" {
						t.Errorf("links %+v, want %d", *c.Links, tc.links)
					}
				} else if tc.links != 0 {
					t.Errorf("no links, want %d", tc.links)
				}
			})
		})
	}
}

func pointer[T any](v T) *T { return &v }

// TestStaticLookupsRules: every refusal of the lookup resource, in ADF's error shape, and
// nothing changed.
func TestStaticLookupsRules(t *testing.T) {
	get := getAs(lookupsPath)
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "as a viewer", status: 200, request: get("css-viewer", "")},
		{name: "as a manager", status: 200, request: get("css-admin", "")},
		{name: "without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "")},
		{name: "without a privilege and a bad finder", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "?finder=Colour")},
		{name: "without a token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED", request: get("", "")},
		{name: "an unknown finder", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "finder", request: get("css-viewer", "?finder=PrimaryKey;LookupType=B2B")},
		{name: "the finder without its bind variable", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "finder", request: get("css-viewer", "?finder=LookupTypeFinder")},
		{name: "the finder with another bind variable", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "finder", request: get("css-viewer", "?finder=LookupTypeFinder;LookupCode=B2B")},
		{name: "the finder with two bind variables", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "finder", request: get("css-viewer", "?finder=LookupTypeFinder;LookupType=A,LookupCode=B")},
		{name: "the finder with a second bind variable after ;", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "finder", request: get("css-viewer", "?finder=LookupTypeFinder;LookupType=ORA_SVC_CSS_REL_TYPE_CD;LookupCode=B2B")},
		{name: "q on an unknown attribute", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "q", request: get("css-viewer", "?q=Description=x")},
		{name: "q injection", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "q", request: get("css-viewer", "?q=LookupCode=B2B%27%20OR%201=1%20--;DROP")},
		{name: "a limit of 0", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "limit", request: get("css-viewer", "?limit=0")},
		{name: "an unknown parameter", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", path: "fields", request: get("css-viewer", "?fields=Meaning")},
		{name: "POST", status: 405, code: "ADF_REST_METHOD_NOT_ALLOWED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, lookupsPath, h.UserToken("css-admin"), `{"LookupCode":"X"}`)
			}},
	})
}

// TestListsOfValues: RelationshipTypeCd and RequestTypeCd carry ADF's lov in describe (roles
// and history), and every role and history item an lov link of that name to the lookup
// resource listing the type's codes; the harness follows the links (200 each).
func TestListsOfValues(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		token := h.UserToken("css-viewer")
		wantLOV := map[string]string{"RelationshipTypeCd": "ORA_SVC_CSS_REL_TYPE_CD", "RequestTypeCd": "ORA_SVC_CSS_REQ_TYPE_CD"}
		for _, path := range []string{servertest.RolesPath(servertest.Pat), oracle.SelfServiceUserPath(servertest.Pat) + "/child/SelfServiceRolesHistory"} {
			rec := h.Do(servertest.ADF(http.MethodGet, path+"/describe", token, ""))
			d := decodeDescription(t, rec, rec.Code, rec.Body.Bytes())
			for _, resource := range d.Resources {
				lovs := map[string]string{}
				for _, a := range resource.Attributes {
					if a.Lov == nil {
						continue
					}
					if len(a.Lov.AttributeMap) != 1 || a.Lov.AttributeMap[0] != (gen.AdfAttributeMapping{Source: a.Name, Target: "LookupCode"}) ||
						!slices.Equal(a.Lov.DisplayAttributes, []string{"Meaning"}) || a.Lov.ChildRef != a.Name+"LOV" {
						t.Errorf("%s: lov of %s: %+v", path, a.Name, a.Lov)
					}
					lovs[a.Name] = a.Lov.ChildRef
				}
				if len(lovs) != len(wantLOV) {
					t.Errorf("%s: lovs %v, want one for each of %v", path, lovs, wantLOV)
				}
			}
			rec = h.Do(servertest.ADF(http.MethodGet, path, token, ""))
			var c struct {
				Items []struct{ Links []gen.AdfLink }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || len(c.Items) == 0 {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			for _, item := range c.Items {
				got := map[string]string{}
				for _, l := range item.Links {
					if l.Rel == "lov" {
						got[strings.TrimSuffix(l.Name, "LOV")] = l.Href
					}
				}
				for attribute, lookupType := range wantLOV {
					want := "http://example.com" + lookupsPath + "?finder=LookupTypeFinder%3BLookupType%3D" + lookupType
					if got[attribute] != want {
						t.Errorf("%s: lov link of %s %q, want %q", path, attribute, got[attribute], want)
					}
				}
			}
		}
	})
}
