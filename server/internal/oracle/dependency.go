package oracle

import (
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/store"
)

// ADF's dependency query parameter: "fields that are set before and rolled back after
// generating the response ... to preview the effects of an attribute change"
// (Attr=value,Attr=value). On a collection the fields are set on the parent's item. Here a
// preview is computed in memory; nothing is written.

// dependencyPair is one Attr=value of a dependency.
type dependencyPair struct{ name, value string }

// parseDependency reads dependency=A=v,B=w; a blank value asks for nothing.
func parseDependency(dependency *string) ([]dependencyPair, error) {
	if dependency == nil || strings.TrimSpace(*dependency) == "" {
		return nil, nil
	}
	var pairs []dependencyPair
	for _, pair := range strings.Split(*dependency, ",") {
		name, value, found := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !found || name == "" {
			return nil, invalidQuery("dependency", strconv.Quote(strings.TrimSpace(pair))+" isn't an Attribute=value pair")
		}
		for _, earlier := range pairs {
			if earlier.name == name {
				return nil, invalidQuery("dependency", "attribute "+name+" is given twice")
			}
		}
		pairs = append(pairs, dependencyPair{name: name, value: value})
	}
	return pairs, nil
}

// checkParentDependency accepts a dependency on a self-service user, whose attributes are
// all read-only here: a blank one only.
func checkParentDependency(dependency *string) error {
	pairs, err := parseDependency(dependency)
	if err != nil || len(pairs) == 0 {
		return err
	}
	name := pairs[0].name
	if _, known := userAttributeNamed(name); !known {
		return invalidQuery("dependency", "attribute "+strconv.Quote(name)+" isn't defined in "+selfServiceUsersName)
	}
	return invalidQuery("dependency", "attribute "+name+" of "+selfServiceUsersName+" is read-only and can't be set")
}

// previewRole sets the dependency's attributes on a copy of an active role's view, as a
// PATCH would set them, with the RoleValue they would show; it reports whether anything
// was asked. The codes are checked as PATCH checks them.
func previewRole(tx *store.Tx, row *roleRow, dependency *string) (bool, error) {
	pairs, err := parseDependency(dependency)
	if err != nil || len(pairs) == 0 {
		return false, err
	}
	var relationshipType, requestType *string
	for _, p := range pairs {
		switch p.name {
		case "RelationshipTypeCd":
			relationshipType = &p.value
		case "RequestTypeCd":
			requestType = &p.value
		default:
			a, known := roleAttributeNamed(p.name)
			if !known {
				return false, invalidQuery("dependency", "attribute "+strconv.Quote(p.name)+" isn't defined in "+selfServiceRolesName)
			}
			reason := "is read-only"
			if !a.readOnly {
				reason = "can't be changed once the role exists"
			}
			return false, invalidQuery("dependency", "attribute "+p.name+" of "+selfServiceRolesName+" "+reason+"; only RelationshipTypeCd and RequestTypeCd can be previewed")
		}
	}
	view := *row.view
	if view.EndDate != nil {
		return false, newADFError(cssRoleEnded, view.RoleID, adfDate(*view.EndDate)).at("RoleId")
	}
	if err := requireEnabledCodes(tx, relationshipType, requestType); err != nil {
		return false, err
	}
	if relationshipType != nil && *relationshipType != view.RelationshipTypeCd {
		key := store.OracleLookupKey{LookupType: store.LookupRelationshipType, Code: *relationshipType}
		found, err := tx.OracleLookups([]store.OracleLookupKey{key})
		if err != nil {
			return false, err
		}
		meaning := found[key].Meaning
		view.RelationshipTypeCd, view.RoleValue = *relationshipType, &meaning
	}
	if requestType != nil {
		view.RequestTypeCd = requestType
	}
	row.view = &view
	return true, nil
}
