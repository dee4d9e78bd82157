package oracle

import (
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// The framework's query parameters that shape what a GET returns.

const (
	defaultPageLimit = 25
	maxPageLimit     = 500

	finderPrimaryKey = "PrimaryKey"
	finderAllRoles   = "AllRolesFinder"
)

// invalidQuery refuses a query parameter's value, naming the parameter.
func invalidQuery(parameter, reason string) *adfError {
	return newADFError(adfInvalidParameter, parameter, reason).at(parameter)
}

// parseFields reads fields=A,B over the roles' attributes; nil selects every attribute.
func parseFields(fields *string) (attributeSelection, error) {
	return selectAttributes(fields, selfServiceRolesName, roleAttributeNamed)
}

// selectAttributes reads fields=A,B over a resource's attributes: nil (absent, or blank
// but for spaces) selects every attribute; fields= with nothing selects none, so that the
// items carry their links only, as ADF does.
func selectAttributes[A any](fields *string, resource string, named func(string) (*A, bool)) ([]*A, error) {
	if fields == nil {
		return nil, nil
	}
	if *fields == "" {
		return []*A{}, nil
	}
	if strings.TrimSpace(*fields) == "" {
		return nil, nil
	}
	selection := []*A{}
	for _, name := range strings.Split(*fields, ",") {
		name = strings.TrimSpace(name)
		attribute, known := named(name)
		if !known {
			return nil, invalidQuery("fields", "attribute "+strconv.Quote(name)+" isn't defined in "+resource)
		}
		selection = append(selection, attribute)
	}
	return selection, nil
}

// parseOrderBy reads orderBy=A:asc,upper(B):desc over the roles' attributes.
func parseOrderBy(orderBy *string) ([]store.OracleRoleOrder, error) {
	return sortKeys(orderBy, selfServiceRolesName, func(name string) (store.OracleRoleField, attributeKind, bool) {
		a, known := roleAttributeNamed(name)
		if !known {
			return "", 0, false
		}
		return a.field, a.kind, true
	})
}

// sortKeys reads orderBy=A:asc,B:desc over a resource's attributes, which field finds
// (an empty field: known but not sortable). A key may fold text to one case,
// upper(A) or lower(A), on text attributes: both sort alike, without regard to case.
func sortKeys[F ~string](orderBy *string, resource string, field func(name string) (F, attributeKind, bool)) ([]store.OracleOrder[F], error) {
	if orderBy == nil || strings.TrimSpace(*orderBy) == "" {
		return nil, nil
	}
	var order []store.OracleOrder[F]
	for _, key := range strings.Split(*orderBy, ",") {
		name, direction, _ := strings.Cut(key, ":")
		name, direction = strings.TrimSpace(name), strings.TrimSpace(direction)
		caseFold := false
		if inner, ok := caseFunction(name); ok {
			name, caseFold = inner, true
		}
		f, kind, known := field(name)
		if !known {
			return nil, invalidQuery("orderBy", "attribute "+strconv.Quote(name)+" isn't defined in "+resource)
		}
		if f == "" {
			return nil, invalidQuery("orderBy", "attribute "+name+" can't be sorted by")
		}
		if caseFold && kind != textAttribute {
			return nil, invalidQuery("orderBy", "upper() and lower() take a text attribute, and "+name+" isn't one")
		}
		sortKey := store.OracleOrder[F]{Field: f, CaseFold: caseFold}
		switch strings.ToLower(direction) {
		case "", "asc":
		case "desc":
			sortKey.Descending = true
		default:
			return nil, invalidQuery("orderBy", "the direction of "+name+" must be asc or desc, not "+strconv.Quote(direction))
		}
		order = append(order, sortKey)
	}
	return order, nil
}

// caseFunction reads upper(Name) or lower(Name), the function's name in any case.
func caseFunction(key string) (string, bool) {
	open := strings.IndexByte(key, '(')
	if open < 0 || !strings.HasSuffix(key, ")") {
		return "", false
	}
	switch strings.ToLower(strings.TrimSpace(key[:open])) {
	case "upper", "lower":
		return strings.TrimSpace(key[open+1 : len(key)-1]), true
	}
	return "", false
}

// roleFinder is what the finder parameter asks for.
type roleFinder struct {
	includeEnded bool
	roleID       *int64
}

// parseFinder reads finder=PrimaryKey;RoleId=N or finder=AllRolesFinder.
func parseFinder(finder *string) (roleFinder, error) {
	if finder == nil || strings.TrimSpace(*finder) == "" {
		return roleFinder{}, nil
	}
	name, bindings, _ := strings.Cut(strings.TrimSpace(*finder), ";")
	switch name {
	case finderAllRoles:
		if strings.TrimSpace(bindings) != "" {
			return roleFinder{}, invalidQuery("finder", finderAllRoles+" takes no bind variables")
		}
		return roleFinder{includeEnded: true}, nil
	case finderPrimaryKey:
		variable, value, _ := strings.Cut(bindings, "=")
		if strings.TrimSpace(variable) != "RoleId" {
			return roleFinder{}, invalidQuery("finder", finderPrimaryKey+" needs the bind variable RoleId, as in PrimaryKey;RoleId=1")
		}
		id, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return roleFinder{}, invalidQuery("finder", "RoleId is a number, not "+strconv.Quote(value))
		}
		return roleFinder{includeEnded: true, roleID: &id}, nil
	}
	return roleFinder{}, invalidQuery("finder", "SelfServiceRoles has no finder "+strconv.Quote(name)+"; use "+finderPrimaryKey+" or "+finderAllRoles)
}

// checkExpand accepts expand=all only: SelfServiceRoles has no child resources to expand.
func checkExpand(expand *string) error {
	if expand == nil {
		return nil
	}
	for _, child := range strings.Split(*expand, ",") {
		if child = strings.TrimSpace(child); child != "" && child != "all" {
			return invalidQuery("expand", "SelfServiceRoles has no child resource "+strconv.Quote(child))
		}
	}
	return nil
}

// pageBounds applies the defaults and the cap to limit and offset.
func pageBounds(limit, offset *int32) (int, int) {
	l, o := defaultPageLimit, 0
	if limit != nil {
		l = min(int(*limit), maxPageLimit)
	}
	if offset != nil {
		o = int(*offset)
	}
	return l, o
}

// roleListRequest is a collection GET's query parameters, read and checked.
type roleListRequest struct {
	query        store.OracleRoleQuery
	selection    attributeSelection
	links        linkSelection
	totalResults bool
}

func parseRoleListRequest(userID int64, p gen.ListSelfServiceRolesParams, framework adfFramework, dialect store.Dialect) (roleListRequest, error) {
	selection, err := parseFields(p.Fields)
	if err != nil {
		return roleListRequest{}, err
	}
	filter, err := parseQ(p.Q, framework.version, roleQAttributes, dialect)
	if err != nil {
		return roleListRequest{}, err
	}
	var conditions []store.OracleRoleCondition
	order, err := parseOrderBy(p.OrderBy)
	if err != nil {
		return roleListRequest{}, err
	}
	finder, err := parseFinder(p.Finder)
	if err != nil {
		return roleListRequest{}, err
	}
	if err := checkExpand(p.Expand); err != nil {
		return roleListRequest{}, err
	}
	if finder.roleID != nil {
		conditions = append(conditions, store.OracleRoleCondition{Field: store.OracleRoleID, Value: *finder.roleID})
	}
	limit, offset := pageBounds(p.Limit, p.Offset)
	totalResults := p.TotalResults != nil && *p.TotalResults
	return roleListRequest{
		query: store.OracleRoleQuery{
			UserID: userID, IncludeEnded: finder.includeEnded, Conditions: conditions, Filter: filter, Order: order,
			Offset: offset, Limit: limit, CountTotal: totalResults,
		},
		selection:    selection,
		links:        newLinkSelection(p.OnlyData, p.Links),
		totalResults: totalResults,
	}, nil
}
