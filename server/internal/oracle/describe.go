package oracle

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// ADF's describe documents (application/vnd.oracle.adf.description+json), generated from
// the contract itself: a resource's attributes are the properties of its schema, with the
// x-oracle-* extensions for what a schema cannot say, and its actions are the operations
// on its paths. There is no second list of attributes to keep in step: a test compares
// the schemas, the documents and the Go attribute lists.

// describedResource says where a resource's description comes from.
type describedResource struct {
	name   string
	schema string // the component schema of an item
	// collectionPath and itemPath are the contract's paths of the collection and an item.
	collectionPath, itemPath string
	children                 []describedResource
	// childNames are the schema's properties that are child resources, not attributes.
	childNames []string
	queryable  func(attribute string) bool
	finders    []gen.AdfFinderDescription
	// lovs are the lists of values of its attributes.
	lovs []listOfValues
}

const resourcesPathTemplate = "/crmRestApi/resources/11.13.18.05/"

var (
	describedRoles = describedResource{
		name: selfServiceRolesName, schema: "SelfServiceRole",
		collectionPath: resourcesPathTemplate + "customerSelfServiceUsers/{UserId}/child/SelfServiceRoles",
		itemPath:       resourcesPathTemplate + "customerSelfServiceUsers/{UserId}/child/SelfServiceRoles/{RoleId}",
		queryable: func(name string) bool {
			_, known := roleQAttributes.Lookup(name)
			return known
		},
		lovs: roleLOVs,
		finders: []gen.AdfFinderDescription{
			{Name: finderAllRoles, Attributes: []gen.AdfFinderAttribute{}},
			{Name: finderPrimaryKey, Attributes: []gen.AdfFinderAttribute{{Name: "RoleId", Type: gen.AdfFinderAttributeTypeInteger}}},
		},
	}
	describedHistory = describedResource{
		name: selfServiceRolesHistoryName, schema: "SelfServiceRoleHistory",
		collectionPath: resourcesPathTemplate + "customerSelfServiceUsers/{UserId}/child/SelfServiceRolesHistory",
		itemPath:       resourcesPathTemplate + "customerSelfServiceUsers/{UserId}/child/SelfServiceRolesHistory/{HistoryId}",
		queryable: func(name string) bool {
			_, known := historyAttributeNamed(name)
			return known
		},
		lovs:    roleLOVs,
		finders: []gen.AdfFinderDescription{},
	}
	describedLookups = describedResource{
		name: staticLookupsName, schema: "StaticLookup",
		collectionPath: resourcesPathTemplate + staticLookupsName,
		queryable: func(name string) bool {
			_, known := lookupQAttributes.Lookup(name)
			return known
		},
		finders: []gen.AdfFinderDescription{
			{Name: lookupTypeFinder, Attributes: []gen.AdfFinderAttribute{{Name: lookupTypeBinding, Type: gen.AdfFinderAttributeTypeString}}},
		},
	}
	describedUsers = describedResource{
		name: selfServiceUsersName, schema: "SelfServiceUser",
		collectionPath: resourcesPathTemplate + "customerSelfServiceUsers",
		itemPath:       resourcesPathTemplate + "customerSelfServiceUsers/{UserId}",
		children:       []describedResource{describedRoles, describedHistory},
		childNames:     userChildren,
		queryable: func(name string) bool {
			_, known := userQAttributes.Lookup(name)
			return known
		},
		finders: []gen.AdfFinderDescription{},
	}
)

// topResources are the resources at the version root, each with its own describe; the
// describe of the version root lists them.
var topResources = []describedResource{describedUsers, describedLookups}

// describeOf builds a resource's description from the contract; links are left empty.
func describeOf(spec *openapi3.T, r describedResource) (gen.AdfResourceDescription, error) {
	ref, ok := spec.Components.Schemas[r.schema]
	if !ok || ref.Value == nil {
		return gen.AdfResourceDescription{}, fmt.Errorf("oracle describe: no schema %s", r.schema)
	}
	schema := ref.Value
	d := gen.AdfResourceDescription{
		DiscrColumnType: pointerTo(false),
		Title:           schema.Title,
		TitlePlural:     stringExtension(schema.Extensions, "x-oracle-title-plural"),
		Attributes:      []gen.AdfAttributeDescription{},
		Links:           []gen.AdfLink{},
		Collection:      &gen.AdfCollectionDescription{RangeSize: defaultPageLimit, Finders: r.finders},
		Item:            &gen.AdfItemDescription{Actions: []gen.AdfActionDescription{}},
	}
	for _, name := range describedAttributeNames(schema, r.childNames) {
		a := describeAttribute(name, schema.Properties[name].Value, r.queryable(name))
		a.Lov = lovOf(r.lovs, name)
		d.Attributes = append(d.Attributes, a)
	}
	var err error
	if d.Collection.Actions, err = describeActions(spec, r.collectionPath); err != nil {
		return gen.AdfResourceDescription{}, err
	}
	if r.itemPath != "" {
		if d.Item.Actions, err = describeActions(spec, r.itemPath); err != nil {
			return gen.AdfResourceDescription{}, err
		}
	}
	if len(r.children) > 0 {
		children := map[string]gen.AdfResourceDescription{}
		for _, child := range r.children {
			if children[child.name], err = describeOf(spec, child); err != nil {
				return gen.AdfResourceDescription{}, err
			}
		}
		d.Children = &children
	}
	return d, nil
}

// describedAttributeNames are a schema's properties but its links and children, sorted.
func describedAttributeNames(schema *openapi3.Schema, children []string) []string {
	var names []string
	for name := range schema.Properties {
		if name != "links" && !slices.Contains(children, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// describeAttribute describes one property of a schema.
func describeAttribute(name string, p *openapi3.Schema, queryable bool) gen.AdfAttributeDescription {
	a := gen.AdfAttributeDescription{
		Name: name, Type: gen.AdfAttributeDescriptionTypeString,
		Updatable: !p.ReadOnly, Queryable: queryable,
		Mandatory:    boolExtension(p.Extensions, "x-oracle-mandatory"),
		AllowChanges: gen.AllowChangesAlways,
	}
	switch {
	case p.Type.Is("integer"):
		a.Type, a.Precision = gen.AdfAttributeDescriptionTypeInteger, pointerTo(int32(18))
	case p.Type.Is("boolean"):
		a.Type = gen.AdfAttributeDescriptionTypeBoolean
	case p.Format == "date":
		a.Type = gen.AdfAttributeDescriptionTypeDate
	case p.Format == "date-time":
		a.Type = gen.AdfAttributeDescriptionTypeDatetime
	}
	if p.MaxLength != nil && a.Type == gen.AdfAttributeDescriptionTypeString {
		a.MaxLength = pointerTo(strconv.FormatUint(*p.MaxLength, 10))
	}
	switch allow := stringExtension(p.Extensions, "x-oracle-allow-changes"); {
	case p.ReadOnly:
		a.AllowChanges = gen.AllowChangesNever
	case allow != "":
		a.AllowChanges = gen.AdfAttributeDescriptionAllowChanges(allow)
	}
	if p.Title != "" {
		a.Title = pointerTo(p.Title)
	}
	// The text of a description, on one line (responses carry no control characters).
	if description := strings.Join(strings.Fields(p.Description), " "); description != "" {
		a.Annotations = &gen.AdfAnnotations{Description: &description}
	}
	return a
}

// describeActions lists the operations on a path as ADF actions, with the media types of
// their request bodies and successful responses.
func describeActions(spec *openapi3.T, path string) ([]gen.AdfActionDescription, error) {
	item := spec.Paths.Value(path)
	if item == nil {
		return nil, fmt.Errorf("oracle describe: no path %s", path)
	}
	actions := []gen.AdfActionDescription{}
	for _, op := range []struct {
		method string
		name   gen.AdfActionDescriptionName
	}{{http.MethodGet, gen.ActionGet}, {http.MethodPost, gen.ActionCreate}, {http.MethodPatch, gen.ActionUpdate}, {http.MethodDelete, gen.ActionDelete}} {
		operation := item.GetOperation(op.method)
		if operation == nil {
			continue
		}
		action := gen.AdfActionDescription{Name: op.name, Method: gen.AdfActionDescriptionMethod(op.method)}
		if body := operation.RequestBody; body != nil && body.Value != nil {
			action.RequestType = pointerTo(slices.Sorted(maps.Keys(body.Value.Content)))
		}
		for _, status := range []string{"200", "201"} {
			if response := operation.Responses.Value(status); response != nil && response.Value != nil && len(response.Value.Content) > 0 {
				action.ResponseType = pointerTo(slices.Sorted(maps.Keys(response.Value.Content)))
				break
			}
		}
		actions = append(actions, action)
	}
	return actions, nil
}

func boolExtension(extensions map[string]any, name string) bool {
	v, _ := extensions[name].(bool)
	return v
}

func stringExtension(extensions map[string]any, name string) string {
	v, _ := extensions[name].(string)
	return v
}

// descriptions are the two documents' resources, built once from the embedded contract.
var descriptions = sync.OnceValues(func() (map[string]gen.AdfResourceDescription, error) {
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, err
	}
	built := map[string]gen.AdfResourceDescription{}
	var build func(resources []describedResource) error
	build = func(resources []describedResource) error {
		for _, r := range resources {
			if built[r.name], err = describeOf(spec, r); err != nil {
				return err
			}
			if err := build(r.children); err != nil {
				return err
			}
		}
		return nil
	}
	return built, build(topResources)
})

// describeShape is how much a describe tells (metadataMode) and whether children are in it
// (includeChildren).
type describeShape struct {
	mode     gen.AdfMetadataMode
	children bool
}

// describeShapeOf reads metadataMode (full when absent) and includeChildren (as full when
// absent: children with full only).
func describeShapeOf(mode *gen.MetadataMode, includeChildren *bool) describeShape {
	shape := describeShape{mode: gen.MetadataModeFull}
	if mode != nil {
		shape.mode = *mode
	}
	shape.children = shape.mode == gen.MetadataModeFull
	if includeChildren != nil {
		shape.children = *includeChildren
	}
	return shape
}

// apply cuts a full description down to the shape.
func (shape describeShape) apply(d gen.AdfResourceDescription) gen.AdfResourceDescription {
	out := gen.AdfResourceDescription{Links: d.Links}
	switch shape.mode {
	case gen.MetadataModeMinimal:
		out.Title, out.TitlePlural = d.Title, d.TitlePlural
	case gen.MetadataModeFull:
		out = d
	}
	out.Children = nil
	if shape.children && d.Children != nil {
		children := make(map[string]gen.AdfResourceDescription, len(*d.Children))
		for name, child := range *d.Children {
			children[name] = shape.apply(child)
		}
		out.Children = &children
	}
	return out
}

// describeDocument is the document of resource name, its self link at href, in shape.
func describeDocument(name, href string, shape describeShape) (gen.AdfDescription, error) {
	all, err := descriptions()
	if err != nil {
		return gen.AdfDescription{}, err
	}
	d := all[name]
	d.Links = []gen.AdfLink{{Rel: "self", Href: href, Name: "self", Kind: gen.Describe}}
	return gen.AdfDescription{Resources: map[string]gen.AdfResourceDescription{name: shape.apply(d)}}, nil
}

// rootDocument is the describe of the version root: every top-level resource, each with a
// self link to its own describe, in shape.
func rootDocument(origin string, shape describeShape) (gen.AdfDescription, error) {
	all, err := descriptions()
	if err != nil {
		return gen.AdfDescription{}, err
	}
	document := gen.AdfDescription{Resources: map[string]gen.AdfResourceDescription{}}
	for _, r := range topResources {
		d := all[r.name]
		d.Links = []gen.AdfLink{{Rel: "self", Href: origin + oracleResourcesPath + "/" + r.name + "/describe", Name: r.name, Kind: gen.Describe}}
		document.Resources[r.name] = shape.apply(d)
	}
	return document, nil
}

// describeTopResource answers the describe of a top-level resource, refusing a caller
// without the read privilege.
func (s *SelfServiceRoles) describeTopResource(ctx context.Context, framework adfFramework, name string, shape describeShape) (gen.AdfDescription, *oracleFailure, error) {
	return s.describeChecked(ctx, framework, nil, func(origin string) (gen.AdfDescription, error) {
		if name == "" {
			return rootDocument(origin, shape)
		}
		return describeDocument(name, origin+oracleResourcesPath+"/"+name+"/describe", shape)
	})
}

// describeChecked builds a describe document with build once the caller may read and check
// (when set) holds, both in one read-only transaction. failure is the ADF error to answer
// with; err an unexpected one.
func (s *SelfServiceRoles) describeChecked(ctx context.Context, framework adfFramework, check func(tx *store.Tx) error, build func(origin string) (gen.AdfDescription, error)) (gen.AdfDescription, *oracleFailure, error) {
	err := s.store.View(ctx, func(tx *store.Tx) error {
		if _, err := readingCaller(ctx, tx); err != nil || check == nil {
			return err
		}
		return check(tx)
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return gen.AdfDescription{}, &failure, nil
	}
	if err != nil {
		return gen.AdfDescription{}, nil, err
	}
	document, err := build(httpapi.OriginFrom(ctx))
	return document, nil, err
}

// DescribeResources returns the describe document of the version root.
func (s *SelfServiceRoles) DescribeResources(ctx context.Context, request gen.DescribeResourcesRequestObject) (gen.DescribeResourcesResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	document, failure, err := s.describeTopResource(ctx, framework, "", describeShapeOf(p.MetadataMode, p.IncludeChildren))
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return *failure, nil
	}
	return gen.DescribeResources200ApplicationVndOracleAdfDescriptionPlusJSONResponse{Body: document,
		Headers: gen.DescribeResources200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// DescribeStaticLookups returns the describe document of fndStaticLookups.
func (s *SelfServiceRoles) DescribeStaticLookups(ctx context.Context, request gen.DescribeStaticLookupsRequestObject) (gen.DescribeStaticLookupsResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	document, failure, err := s.describeTopResource(ctx, framework, staticLookupsName, describeShapeOf(p.MetadataMode, p.IncludeChildren))
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return *failure, nil
	}
	return gen.DescribeStaticLookups200ApplicationVndOracleAdfDescriptionPlusJSONResponse{Body: document,
		Headers: gen.DescribeStaticLookups200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

func (f oracleFailure) VisitDescribeResourcesResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitDescribeStaticLookupsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

// DescribeSelfServiceUsers returns the describe document of customerSelfServiceUsers.
func (s *SelfServiceRoles) DescribeSelfServiceUsers(ctx context.Context, request gen.DescribeSelfServiceUsersRequestObject) (gen.DescribeSelfServiceUsersResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	document, failure, err := s.describeTopResource(ctx, framework, selfServiceUsersName, describeShapeOf(p.MetadataMode, p.IncludeChildren))
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return *failure, nil
	}
	return gen.DescribeSelfServiceUsers200ApplicationVndOracleAdfDescriptionPlusJSONResponse{Body: document,
		Headers: gen.DescribeSelfServiceUsers200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// DescribeSelfServiceRoles returns the describe document of a user's SelfServiceRoles.
func (s *SelfServiceRoles) DescribeSelfServiceRoles(ctx context.Context, request gen.DescribeSelfServiceRolesRequestObject) (gen.DescribeSelfServiceRolesResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	document, failure, err := s.describeUserChild(ctx, framework, request.UserId, selfServiceRolesName, selfServiceRolesPath(request.UserId),
		describeShapeOf(request.Params.MetadataMode, request.Params.IncludeChildren))
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return *failure, nil
	}
	return gen.DescribeSelfServiceRoles200ApplicationVndOracleAdfDescriptionPlusJSONResponse{Body: document,
		Headers: gen.DescribeSelfServiceRoles200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// DescribeSelfServiceRolesHistory returns the describe document of a user's
// SelfServiceRolesHistory.
func (s *SelfServiceRoles) DescribeSelfServiceRolesHistory(ctx context.Context, request gen.DescribeSelfServiceRolesHistoryRequestObject) (gen.DescribeSelfServiceRolesHistoryResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	document, failure, err := s.describeUserChild(ctx, framework, request.UserId, selfServiceRolesHistoryName, selfServiceRolesHistoryPath(request.UserId),
		describeShapeOf(request.Params.MetadataMode, request.Params.IncludeChildren))
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return *failure, nil
	}
	return gen.DescribeSelfServiceRolesHistory200ApplicationVndOracleAdfDescriptionPlusJSONResponse{Body: document,
		Headers: gen.DescribeSelfServiceRolesHistory200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// describeUserChild builds the describe document of one of a user's child resources, refusing
// as the child's collection does (the caller's read privilege, an unknown user). failure is the
// ADF error to answer with; err an unexpected one.
func (s *SelfServiceRoles) describeUserChild(ctx context.Context, framework adfFramework, userID int64, name, path string, shape describeShape) (gen.AdfDescription, *oracleFailure, error) {
	userExists := func(tx *store.Tx) error {
		_, _, err := selfServiceUser(tx, userID)
		return err
	}
	return s.describeChecked(ctx, framework, userExists, func(origin string) (gen.AdfDescription, error) {
		return describeDocument(name, origin+path+"/describe", shape)
	})
}

func (f oracleFailure) VisitDescribeSelfServiceUsersResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitDescribeSelfServiceRolesResponse(w http.ResponseWriter) error {
	return f.write(w)
}
