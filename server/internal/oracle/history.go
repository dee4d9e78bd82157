package oracle

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// SelfServiceRolesHistory, read-only: one entry each time one of a user's roles was
// granted, changed or revoked, read from the audit trail (store.OracleRoleHistory). A
// user's history is read whole (it is as long as the user's role changes) and paged,
// sorted and cut to fields here.

// historyEntry is one entry with its id worked out.
type historyEntry struct {
	*store.OracleRoleHistoryEntry
	id string
}

// historyValue is what an attribute of an entry sorts by: absent, a number pair, or text.
type historyValue struct {
	absent bool
	num    [2]int64
	text   *string
}

// historyAttribute is one attribute of a SelfServiceRolesHistory item.
type historyAttribute struct {
	name  string
	kind  attributeKind
	field store.OracleHistoryField // the column q compares
	set   func(item *gen.SelfServiceRoleHistory, e historyEntry)
	value func(e historyEntry) historyValue
}

func numberValue(n int64) historyValue        { return historyValue{num: [2]int64{n}} }
func textValue(s string) historyValue         { return historyValue{text: &s} }
func optionalText(s *string) historyValue     { return historyValue{absent: s == nil, text: s} }
func changedAttributes(e historyEntry) string { return strings.Join(e.ChangedAttributes, ",") }
func createdBy(e historyEntry) string         { return e.CreatedBy() }

// historyAttributes are the item's attributes, in Oracle's (alphabetical) order; every one
// is read-only.
var historyAttributes = []historyAttribute{
	{"AccountPartyId", integerAttribute, store.OracleHistoryAccountPartyID,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.AccountPartyId = &e.AccountPartyID },
		func(e historyEntry) historyValue { return numberValue(e.AccountPartyID) }},
	{"ActionCode", textAttribute, store.OracleHistoryActionCode,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.ActionCode = &e.Action },
		func(e historyEntry) historyValue { return textValue(e.Action) }},
	{"ChangedAttributes", textAttribute, store.OracleHistoryChangedAttributes,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) {
			item.ChangedAttributes = pointerTo(changedAttributes(e))
		},
		func(e historyEntry) historyValue { return textValue(changedAttributes(e)) }},
	{"CreatedBy", textAttribute, store.OracleHistoryCreatedBy,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.CreatedBy = pointerTo(createdBy(e)) },
		func(e historyEntry) historyValue { return textValue(createdBy(e)) }},
	{"CreationDate", timestampAttribute, store.OracleHistoryCreationDate,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) {
			item.CreationDate = pointerTo(adfDateTime(e.Time))
		},
		func(e historyEntry) historyValue { return numberValue(e.Time.UnixMicro()) }},
	{"EndDate", dateAttribute, store.OracleHistoryEndDate,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) {
			if e.EndDate != nil {
				item.EndDate = pointerTo(adfDate(*e.EndDate))
			}
		},
		func(e historyEntry) historyValue {
			if e.EndDate == nil {
				return historyValue{absent: true}
			}
			return textValue(adfDate(*e.EndDate))
		}},
	{"HistoryId", textAttribute, store.OracleHistoryID,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.HistoryId = &e.id },
		func(e historyEntry) historyValue { return historyValue{num: [2]int64{e.Seq, e.RoleID}} }},
	{"RegistrationId", integerAttribute, store.OracleHistoryRegistrationID,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.RegistrationId = e.RegistrationID },
		func(e historyEntry) historyValue {
			if e.RegistrationID == nil {
				return historyValue{absent: true}
			}
			return numberValue(*e.RegistrationID)
		}},
	{"RelationshipTypeCd", textAttribute, store.OracleHistoryRelationshipTypeCd,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) {
			item.RelationshipTypeCd = &e.RelationshipTypeCd
		},
		func(e historyEntry) historyValue { return textValue(e.RelationshipTypeCd) }},
	{"RequestTypeCd", textAttribute, store.OracleHistoryRequestTypeCd,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.RequestTypeCd = e.RequestTypeCd },
		func(e historyEntry) historyValue { return optionalText(e.RequestTypeCd) }},
	{"RoleId", integerAttribute, store.OracleHistoryRoleID,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.RoleId = &e.RoleID },
		func(e historyEntry) historyValue { return numberValue(e.RoleID) }},
	{"StartDate", dateAttribute, store.OracleHistoryStartDate,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) {
			if !e.StartDate.IsZero() {
				item.StartDate = pointerTo(adfDate(e.StartDate))
			}
		},
		func(e historyEntry) historyValue {
			if e.StartDate.IsZero() {
				return historyValue{absent: true}
			}
			return textValue(adfDate(e.StartDate))
		}},
	{"UserId", integerAttribute, store.OracleHistoryUserID,
		func(item *gen.SelfServiceRoleHistory, e historyEntry) { item.UserId = &e.UserID },
		func(e historyEntry) historyValue { return numberValue(e.UserID) }},
}

// historyQAttributes are the attributes q may name: all of them.
var historyQAttributes = qCatalogue(historyAttributes, func(a historyAttribute) (string, attributeKind, string) {
	return a.name, a.kind, string(a.field)
})

func historyAttributeNamed(name string) (*historyAttribute, bool) {
	for i := range historyAttributes {
		if historyAttributes[i].name == name {
			return &historyAttributes[i], true
		}
	}
	return nil, false
}

// historyField names an attribute to sort by.
type historyField string

func parseHistoryOrderBy(orderBy *string) ([]store.OracleOrder[historyField], error) {
	return sortKeys(orderBy, selfServiceRolesHistoryName, func(name string) (historyField, attributeKind, bool) {
		a, known := historyAttributeNamed(name)
		if !known {
			return "", 0, false
		}
		return historyField(a.name), a.kind, true
	})
}

// compareHistoryValues orders two values of one attribute, absent values last.
func compareHistoryValues(a, b historyValue, caseFold bool) int {
	switch {
	case a.absent && b.absent:
		return 0
	case a.absent:
		return 1
	case b.absent:
		return -1
	}
	if a.text != nil && b.text != nil {
		x, y := *a.text, *b.text
		if caseFold {
			x, y = strings.ToUpper(x), strings.ToUpper(y)
		}
		return strings.Compare(x, y)
	}
	if c := cmp.Compare(a.num[0], b.num[0]); c != 0 {
		return c
	}
	return cmp.Compare(a.num[1], b.num[1])
}

// sortHistory sorts entries by the keys, then by HistoryId (seq, then role) ascending; the
// store lists them in that order already, so a stable sort keeps it among equals.
func sortHistory(entries []historyEntry, order []store.OracleOrder[historyField]) {
	if len(order) == 0 {
		return
	}
	slices.SortStableFunc(entries, func(x, y historyEntry) int {
		for _, key := range order {
			a, _ := historyAttributeNamed(string(key.Field))
			c := compareHistoryValues(a.value(x), a.value(y), key.CaseFold)
			if key.Descending {
				// Absent values stay last either way.
				if ax, ay := a.value(x).absent, a.value(y).absent; ax != ay {
					return c
				}
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

func selfServiceRolesHistoryPath(userID int64) string {
	return selfServiceUserPath(userID) + "/child/" + selfServiceRolesHistoryName
}

// historyLinks are an item's links: itself, canonically, the user it belongs to, and the
// lists of values of its lookup attributes (as the roles').
func historyLinks(origin string, e historyEntry) []gen.AdfLink {
	self := origin + selfServiceRolesHistoryPath(e.UserID) + "/" + e.id
	return append([]gen.AdfLink{
		{Rel: "self", Href: self, Name: selfServiceRolesHistoryName, Kind: gen.Item},
		{Rel: "canonical", Href: self, Name: selfServiceRolesHistoryName, Kind: gen.Item},
		{Rel: "parent", Href: origin + selfServiceUserPath(e.UserID), Name: selfServiceUsersName, Kind: gen.Item},
	}, lovLinks(origin, roleLOVs)...)
}

// historyItem renders an entry with the selected attributes and links.
func historyItem(e historyEntry, selection []*historyAttribute, links linkSelection, origin string) gen.SelfServiceRoleHistory {
	var item gen.SelfServiceRoleHistory
	if selection == nil {
		for i := range historyAttributes {
			historyAttributes[i].set(&item, e)
		}
	} else {
		for _, a := range selection {
			a.set(&item, e)
		}
	}
	item.Links = links.keep(historyLinks(origin, e))
	return item
}

// readHistory reads the history of an existing user for a caller allowed to read roles.
// The request is checked first (caller, parameters, user), so that a refused request
// changes nothing; then the audit trail is sealed, so that the latest change is in it, and
// read.
func (s *SelfServiceRoles) readHistory(ctx context.Context, userID int64, check func() (*store.OracleFilter, error)) ([]historyEntry, error) {
	var filter *store.OracleFilter
	err := s.store.View(ctx, func(tx *store.Tx) error {
		if _, err := readingCaller(ctx, tx); err != nil {
			return err
		}
		var err error
		if filter, err = check(); err != nil {
			return err
		}
		_, _, err = selfServiceUser(tx, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.store.SealAuditEvents(ctx); err != nil {
		return nil, err
	}
	var entries []store.OracleRoleHistoryEntry
	err = s.store.View(ctx, func(tx *store.Tx) error {
		var err error
		if entries, err = tx.OracleRoleHistory(userID); err != nil {
			return err
		}
		entries, err = tx.FilterOracleRoleHistory(entries, filter)
		return err
	})
	if err != nil {
		return nil, err
	}
	return historyEntries(entries), nil
}

// historyEntries are the store's entries with their ids worked out.
func historyEntries(entries []store.OracleRoleHistoryEntry) []historyEntry {
	out := make([]historyEntry, len(entries))
	for i := range entries {
		out[i] = historyEntry{OracleRoleHistoryEntry: &entries[i], id: entries[i].HistoryID()}
	}
	return out
}

// historyCollection renders a page of a user's history (entries, filtered and sorted): the
// history's own collection, and the same embedded in its user by expand.
func historyCollection(entries []historyEntry, userID int64, selection []*historyAttribute, links linkSelection, origin string, limit, offset int, totalResults bool) gen.SelfServiceRoleHistoryCollection {
	page := entries[min(offset, len(entries)):min(offset+limit, len(entries))]
	collection := gen.SelfServiceRoleHistoryCollection{
		Items:   make([]gen.SelfServiceRoleHistory, len(page)),
		Count:   int32(len(page)),
		HasMore: offset+len(page) < len(entries),
		Limit:   int32(limit),
		Offset:  int32(offset),
		Links: links.keep([]gen.AdfLink{
			{Rel: "self", Href: origin + selfServiceRolesHistoryPath(userID), Name: selfServiceRolesHistoryName, Kind: gen.Collection},
		}),
	}
	for i, e := range page {
		collection.Items[i] = historyItem(e, selection, links, origin)
	}
	if totalResults {
		collection.TotalResults = pointerTo(int64(len(entries)))
	}
	return collection
}

// ListSelfServiceRolesHistory returns a page of a self-service user's role history.
func (s *SelfServiceRoles) ListSelfServiceRolesHistory(ctx context.Context, request gen.ListSelfServiceRolesHistoryRequestObject) (gen.ListSelfServiceRolesHistoryResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	var (
		selection []*historyAttribute
		order     []store.OracleOrder[historyField]
	)
	entries, err := s.readHistory(ctx, request.UserId, func() (*store.OracleFilter, error) {
		var err error
		if selection, err = selectAttributes(p.Fields, selfServiceRolesHistoryName, historyAttributeNamed); err != nil {
			return nil, err
		}
		if order, err = parseHistoryOrderBy(p.OrderBy); err != nil {
			return nil, err
		}
		return parseQ(p.Q, framework.version, historyQAttributes, s.store.Dialect())
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	sortHistory(entries, order)
	limit, offset := pageBounds(p.Limit, p.Offset)
	collection := historyCollection(entries, request.UserId, selection, newLinkSelection(p.OnlyData, p.Links), httpapi.OriginFrom(ctx),
		limit, offset, p.TotalResults != nil && *p.TotalResults)
	return gen.ListSelfServiceRolesHistory200ApplicationVndOracleAdfResourcecollectionPlusJSONResponse{Body: collection,
		Headers: gen.ListSelfServiceRolesHistory200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// GetSelfServiceRoleHistory returns one entry of a self-service user's role history.
func (s *SelfServiceRoles) GetSelfServiceRoleHistory(ctx context.Context, request gen.GetSelfServiceRoleHistoryRequestObject) (gen.GetSelfServiceRoleHistoryResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	var selection []*historyAttribute
	entries, err := s.readHistory(ctx, request.UserId, func() (*store.OracleFilter, error) {
		var err error
		selection, err = selectAttributes(p.Fields, selfServiceRolesHistoryName, historyAttributeNamed)
		return nil, err
	})
	if err == nil {
		i := slices.IndexFunc(entries, func(e historyEntry) bool { return e.id == request.HistoryId })
		if i < 0 {
			err = newADFError(cssHistoryNotFound, request.UserId, request.HistoryId).at("HistoryId")
		} else {
			links := newLinkSelection(p.OnlyData, p.Links)
			return gen.GetSelfServiceRoleHistory200ApplicationVndOracleAdfResourceitemPlusJSONResponse{
				Body:    historyItem(entries[i], selection, links, httpapi.OriginFrom(ctx)),
				Headers: gen.GetSelfServiceRoleHistory200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
		}
	}
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	return nil, err
}

// cssHistoryNotFound: the user has no history entry with this id.
var cssHistoryNotFound = adfCode{"JBO-25020", http.StatusNotFound,
	"The self-service user %d has no self-service role history %q."}

func (f oracleFailure) VisitListSelfServiceRolesHistoryResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitGetSelfServiceRoleHistoryResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitDescribeSelfServiceRolesHistoryResponse(w http.ResponseWriter) error {
	return f.write(w)
}
