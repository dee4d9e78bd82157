package oracle

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// Lists of values: the roles' RelationshipTypeCd and RequestTypeCd take codes of Oracle
// lookup types, and point to their choices as ADF does, with an lov in describe and an lov
// link on each item, both leading to Oracle's lookup resource fndStaticLookups, served
// read-only here.

const (
	staticLookupsName = "fndStaticLookups"
	lookupTypeFinder  = "LookupTypeFinder"
	lookupTypeBinding = "LookupType"
)

// listOfValues is the list of values of one attribute: the lookup type whose codes it takes.
type listOfValues struct {
	attribute  string
	lookupType string
}

// roleLOVs are the lists of values of the roles' attributes (and of the history's, which
// shows the same attributes). describe and the items' lov links are both made from here.
var roleLOVs = []listOfValues{
	{"RelationshipTypeCd", store.LookupRelationshipType},
	{"RequestTypeCd", store.LookupRequestType},
}

// name is the LOV's name: the childRef of describe and the name of the item's lov link.
func (l listOfValues) name() string { return l.attribute + "LOV" }

// href is where the choices are listed: the lookup resource with the type's finder.
func (l listOfValues) href(origin string) string {
	return origin + oracleResourcesPath + "/" + staticLookupsName + "?finder=" +
		url.QueryEscape(lookupTypeFinder+";"+lookupTypeBinding+"="+l.lookupType)
}

// description is the lov of the attribute's describe.
func (l listOfValues) description() *gen.AdfListOfValues {
	return &gen.AdfListOfValues{
		ChildRef:          l.name(),
		AttributeMap:      []gen.AdfAttributeMapping{{Source: l.attribute, Target: "LookupCode"}},
		DisplayAttributes: []string{"Meaning"},
	}
}

// lovLinks are the lov links of an item with lists of values.
func lovLinks(origin string, lovs []listOfValues) []gen.AdfLink {
	links := make([]gen.AdfLink, len(lovs))
	for i, l := range lovs {
		links[i] = gen.AdfLink{Rel: "lov", Href: l.href(origin), Name: l.name(), Kind: gen.Collection}
	}
	return links
}

func lovOf(lovs []listOfValues, attribute string) *gen.AdfListOfValues {
	for _, l := range lovs {
		if l.attribute == attribute {
			return l.description()
		}
	}
	return nil
}

// lookupQAttributes are the attributes q may name on lookups (EnabledFlag is not one).
var lookupQAttributes = qCatalogue([]struct {
	name   string
	column store.OracleLookupField
}{{"LookupCode", store.OracleLookupCode}, {"LookupType", store.OracleLookupType}, {"Meaning", store.OracleLookupMeaning}},
	func(a struct {
		name   string
		column store.OracleLookupField
	}) (string, attributeKind, string) {
		return a.name, textAttribute, string(a.column)
	})

// parseLookupFinder reads finder=LookupTypeFinder;LookupType=T; nil when absent or blank.
func parseLookupFinder(finder *string) (*string, error) {
	if finder == nil || strings.TrimSpace(*finder) == "" {
		return nil, nil
	}
	name, bindings, _ := strings.Cut(strings.TrimSpace(*finder), ";")
	if name != lookupTypeFinder {
		return nil, invalidQuery("finder", staticLookupsName+" has no finder "+strconv.Quote(name)+"; use "+lookupTypeFinder)
	}
	variable, value, ok := strings.Cut(bindings, "=")
	if !ok || strings.TrimSpace(variable) != lookupTypeBinding || strings.ContainsAny(value, ",;") {
		return nil, invalidQuery("finder", lookupTypeFinder+" needs the bind variable LookupType alone, as in LookupTypeFinder;LookupType="+store.LookupRelationshipType)
	}
	value = strings.TrimSpace(value)
	return &value, nil
}

// ListStaticLookups returns a page of the codes of the lookup types.
func (s *SelfServiceRoles) ListStaticLookups(ctx context.Context, request gen.ListStaticLookupsRequestObject) (gen.ListStaticLookupsResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	var (
		query store.OracleLookupQuery
		page  store.OracleLookupPage
	)
	err := s.store.View(ctx, func(tx *store.Tx) error {
		if _, err := readingCaller(ctx, tx); err != nil {
			return err
		}
		lookupType, err := parseLookupFinder(p.Finder)
		if err != nil {
			return err
		}
		filter, err := parseQ(p.Q, framework.version, lookupQAttributes, s.store.Dialect())
		if err != nil {
			return err
		}
		limit, offset := pageBounds(p.Limit, p.Offset)
		query = store.OracleLookupQuery{LookupType: lookupType, Filter: filter, Offset: offset, Limit: limit,
			CountTotal: p.TotalResults != nil && *p.TotalResults}
		page, err = tx.OracleLookupPage(query)
		return err
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	self := httpapi.OriginFrom(ctx) + oracleResourcesPath + "/" + staticLookupsName
	if p.Finder != nil && strings.TrimSpace(*p.Finder) != "" {
		self += "?finder=" + url.QueryEscape(*p.Finder)
	}
	collection := gen.StaticLookupCollection{
		Items:   make([]gen.StaticLookup, len(page.Lookups)),
		Count:   int32(len(page.Lookups)),
		HasMore: page.HasMore,
		Limit:   int32(query.Limit),
		Offset:  int32(query.Offset),
		Links:   newLinkSelection(p.OnlyData, nil).keep([]gen.AdfLink{{Rel: "self", Href: self, Name: staticLookupsName, Kind: gen.Collection}}),
	}
	for i, l := range page.Lookups {
		collection.Items[i] = gen.StaticLookup{LookupType: l.LookupType, LookupCode: l.Code, Meaning: l.Meaning, EnabledFlag: pointerTo(l.Enabled)}
	}
	if query.CountTotal {
		collection.TotalResults = &page.Total
	}
	return gen.ListStaticLookups200ApplicationVndOracleAdfResourcecollectionPlusJSONResponse{Body: collection,
		Headers: gen.ListStaticLookups200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

func (f oracleFailure) VisitListStaticLookupsResponse(w http.ResponseWriter) error {
	return f.write(w)
}
