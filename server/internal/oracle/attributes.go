package oracle

import (
	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle/adfq"
	"github.com/custaccess/custaccess/store"
)

// roleRow is a role as one caller sees it: the stored role and what the caller may do to it.
type roleRow struct {
	view      *store.OracleRoleView
	canUpdate bool
	canDelete bool
}

// attributeKind tells how q compares an attribute's values.
type attributeKind int

const (
	// otherAttribute: the flags; q can't name them.
	otherAttribute attributeKind = iota
	integerAttribute
	textAttribute
	// dateAttribute compares whole UTC days, as the item shows them (YYYY-MM-DD).
	dateAttribute
	// timestampAttribute compares to the second, as the item shows them.
	timestampAttribute
)

// roleAttribute is one attribute of a SelfServiceRoles item: how it is filled, and whether
// q and orderBy may use it (field is empty when not).
type roleAttribute struct {
	name     string
	kind     attributeKind
	field    store.OracleRoleField
	readOnly bool
	set      func(item *gen.SelfServiceRole, r roleRow)
}

// roleAttributes are the item's attributes, in Oracle's (alphabetical) order.
var roleAttributes = []roleAttribute{
	{"AccountPartyId", integerAttribute, store.OracleRoleAccountPartyID, false,
		func(item *gen.SelfServiceRole, r roleRow) { item.AccountPartyId = &r.view.AccountPartyID }},
	{"AccountPartyName", textAttribute, store.OracleRoleAccountPartyName, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.AccountPartyName = &r.view.AccountPartyName }},
	{"AccountPartyNumber", textAttribute, store.OracleRoleAccountPartyNumber, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.AccountPartyNumber = &r.view.AccountPartyNumber }},
	{"CanDeleteFlag", otherAttribute, "", true,
		func(item *gen.SelfServiceRole, r roleRow) { item.CanDeleteFlag = &r.canDelete }},
	{"CanUpdateFlag", otherAttribute, "", true,
		func(item *gen.SelfServiceRole, r roleRow) { item.CanUpdateFlag = &r.canUpdate }},
	{"ContactPartyId", integerAttribute, store.OracleRoleContactPartyID, false,
		func(item *gen.SelfServiceRole, r roleRow) { item.ContactPartyId = &r.view.ContactPartyID }},
	{"ContactPartyName", textAttribute, store.OracleRoleContactPartyName, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.ContactPartyName = &r.view.ContactPartyName }},
	{"ContactPartyNumber", textAttribute, store.OracleRoleContactPartyNumber, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.ContactPartyNumber = &r.view.ContactPartyNumber }},
	{"CreatedBy", textAttribute, store.OracleRoleCreatedBy, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.CreatedBy = &r.view.CreatedBy }},
	{"CreationDate", timestampAttribute, store.OracleRoleCreationDate, true,
		func(item *gen.SelfServiceRole, r roleRow) {
			item.CreationDate = pointerTo(adfDateTime(r.view.CreationDate))
		}},
	{"EmailAddress", textAttribute, store.OracleRoleEmailAddress, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.EmailAddress = r.view.EmailAddress }},
	{"EndDate", dateAttribute, store.OracleRoleEndDate, true,
		func(item *gen.SelfServiceRole, r roleRow) {
			if r.view.EndDate != nil {
				item.EndDate = pointerTo(adfDate(*r.view.EndDate))
			}
		}},
	{"LastUpdateDate", timestampAttribute, store.OracleRoleLastUpdateDate, true,
		func(item *gen.SelfServiceRole, r roleRow) {
			item.LastUpdateDate = pointerTo(adfDateTime(r.view.LastUpdateDate))
		}},
	{"LastUpdateLogin", textAttribute, store.OracleRoleLastUpdateLogin, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.LastUpdateLogin = &r.view.LastUpdateLogin }},
	{"LastUpdatedBy", textAttribute, store.OracleRoleLastUpdatedBy, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.LastUpdatedBy = &r.view.LastUpdatedBy }},
	{"LoginId", textAttribute, store.OracleRoleLoginID, false,
		func(item *gen.SelfServiceRole, r roleRow) { item.LoginId = &r.view.LoginID }},
	{"RegistrationId", integerAttribute, store.OracleRoleRegistrationID, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.RegistrationId = r.view.RegistrationID }},
	{"RelationshipTypeCd", textAttribute, store.OracleRoleRelationshipType, false,
		func(item *gen.SelfServiceRole, r roleRow) { item.RelationshipTypeCd = &r.view.RelationshipTypeCd }},
	{"RequestTypeCd", textAttribute, store.OracleRoleRequestType, false,
		func(item *gen.SelfServiceRole, r roleRow) { item.RequestTypeCd = r.view.RequestTypeCd }},
	{"RoleId", integerAttribute, store.OracleRoleID, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.RoleId = &r.view.RoleID }},
	{"RoleValue", textAttribute, store.OracleRoleValue, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.RoleValue = r.view.RoleValue }},
	{"StartDate", dateAttribute, store.OracleRoleStartDate, true,
		func(item *gen.SelfServiceRole, r roleRow) { item.StartDate = pointerTo(adfDate(r.view.StartDate)) }},
}

// roleQAttributes are the attributes q may name: every attribute with a field, but the flags.
var roleQAttributes = qCatalogue(roleAttributes, func(a roleAttribute) (string, attributeKind, string) {
	return a.name, a.kind, string(a.field)
})

// qCatalogue maps a resource's attributes to adfq's catalogue: name, the store's SQL
// expression of the field, and how values compare. Attributes without a field, and flags,
// are left out.
func qCatalogue[A any](attributes []A, describe func(A) (name string, kind attributeKind, column string)) *adfq.Catalogue {
	types := map[attributeKind]adfq.Type{
		integerAttribute: adfq.Number, textAttribute: adfq.Text,
		dateAttribute: adfq.Date, timestampAttribute: adfq.Timestamp,
	}
	var catalogue []adfq.Attribute
	for _, a := range attributes {
		name, kind, column := describe(a)
		if t, ok := types[kind]; ok && column != "" {
			catalogue = append(catalogue, adfq.Attribute{Name: name, Column: column, Type: t})
		}
	}
	return adfq.MustCatalogue(catalogue...)
}

// roleAttributeNamed finds an attribute by its exact name.
func roleAttributeNamed(name string) (*roleAttribute, bool) {
	for i := range roleAttributes {
		if roleAttributes[i].name == name {
			return &roleAttributes[i], true
		}
	}
	return nil, false
}

// attributeSelection is the attributes a response shows (the fields query parameter);
// nil shows them all.
type attributeSelection []*roleAttribute

// roleItem renders a role with the selected attributes and links.
func roleItem(r roleRow, selection attributeSelection, links linkSelection, origin string) gen.SelfServiceRole {
	var item gen.SelfServiceRole
	if selection == nil {
		for i := range roleAttributes {
			roleAttributes[i].set(&item, r)
		}
	} else {
		for _, attribute := range selection {
			attribute.set(&item, r)
		}
	}
	item.Links = links.keep(roleLinks(origin, r.view))
	return item
}

func pointerTo[T any](v T) *T { return &v }
