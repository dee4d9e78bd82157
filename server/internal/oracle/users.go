package oracle

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// The parent resource customerSelfServiceUsers, read-only: its collection and items, with
// child links to the roles and the role history and, with expand, either or both embedded.

const selfServiceRolesHistoryName = "SelfServiceRolesHistory"

// userAttribute is one attribute of a customerSelfServiceUsers item: how it is filled, and
// the field orderBy sorts it by.
type userAttribute struct {
	name  string
	kind  attributeKind
	field store.OracleUserField
	set   func(item *gen.SelfServiceUser, u *store.OracleUserView)
}

// userAttributes are the item's attributes, in Oracle's (alphabetical) order; every one is
// read-only.
var userAttributes = []userAttribute{
	{"AccountPartyId", integerAttribute, store.OracleUserAccountPartyID,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.AccountPartyId = u.AccountPartyID }},
	{"AccountPartyName", textAttribute, store.OracleUserAccountPartyName,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.AccountPartyName = u.AccountPartyName }},
	{"AccountPartyNumber", textAttribute, store.OracleUserAccountPartyNumber,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) {
			item.AccountPartyNumber = u.AccountPartyNumber
		}},
	{"ContactPartyId", integerAttribute, store.OracleUserContactPartyID,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.ContactPartyId = &u.ContactPartyID }},
	{"ContactPartyName", textAttribute, store.OracleUserContactPartyName,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.ContactPartyName = &u.ContactPartyName }},
	{"ContactPartyNumber", textAttribute, store.OracleUserContactPartyNumber,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) {
			item.ContactPartyNumber = &u.ContactPartyNumber
		}},
	{"CreatedBy", textAttribute, store.OracleUserCreatedBy,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.CreatedBy = &u.CreatedBy }},
	{"CreationDate", timestampAttribute, store.OracleUserCreationDate,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) {
			item.CreationDate = pointerTo(adfDateTime(u.CreationDate))
		}},
	{"EmailAddress", textAttribute, store.OracleUserEmailAddress,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.EmailAddress = u.EmailAddress }},
	{"LastUpdateDate", timestampAttribute, store.OracleUserLastUpdateDate,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) {
			item.LastUpdateDate = pointerTo(adfDateTime(u.LastUpdateDate))
		}},
	{"LastUpdatedBy", textAttribute, store.OracleUserLastUpdatedBy,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.LastUpdatedBy = &u.LastUpdatedBy }},
	{"LoginId", textAttribute, store.OracleUserLoginID,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.LoginId = &u.LoginID }},
	{"UserId", integerAttribute, store.OracleUserID,
		func(item *gen.SelfServiceUser, u *store.OracleUserView) { item.UserId = &u.UserID }},
}

// userQAttributes are the attributes q may name on users: every one.
var userQAttributes = qCatalogue(userAttributes, func(a userAttribute) (string, attributeKind, string) {
	return a.name, a.kind, string(a.field)
})

// userChildren are the child resources of a user, as its links and describe name them.
var userChildren = []string{selfServiceRolesName, selfServiceRolesHistoryName}

func userAttributeNamed(name string) (*userAttribute, bool) {
	for i := range userAttributes {
		if userAttributes[i].name == name {
			return &userAttributes[i], true
		}
	}
	return nil, false
}

// userListRequest is what a GET of users asks, read and checked.
type userListRequest struct {
	query        store.OracleUserQuery
	selection    []*userAttribute
	links        linkSelection
	expand       userExpansion
	totalResults bool
}

// userExpansion is what expand asks to embed in each user.
type userExpansion struct {
	roles, history bool
}

// parseUserExpand reads expand as ADF does: a comma-separated list of child resources
// (SelfServiceRoles, SelfServiceRolesHistory), or all for both.
func parseUserExpand(expand *string) (userExpansion, error) {
	var e userExpansion
	if expand == nil {
		return e, nil
	}
	for _, child := range strings.Split(*expand, ",") {
		switch child = strings.TrimSpace(child); child {
		case "":
		case "all":
			e.roles, e.history = true, true
		case selfServiceRolesName:
			e.roles = true
		case selfServiceRolesHistoryName:
			e.history = true
		default:
			return userExpansion{}, invalidQuery("expand", selfServiceUsersName+" has no child resource "+strconv.Quote(child)+
				" to expand; use "+selfServiceRolesName+", "+selfServiceRolesHistoryName+" or all")
		}
	}
	return e, nil
}

// embeddedChildren are the children embedded in users, by UserId, as expand asked.
type embeddedChildren struct {
	expand  userExpansion
	roles   map[int64][]roleRow
	history map[int64][]historyEntry
}

// readUserChildren reads what expand asks of the users, in a number of statements that
// does not grow with their number: the roles of them all in one query (and one for the
// administrators of their accounts), their histories from one read of the audit trail
// (store.OracleRoleHistories). The history is read after the request was checked (a
// refused request seals nothing) and the trail sealed, so that it has the latest change;
// the roles are then read in the same transaction as the history, so that both show the
// same moment.
func (s *SelfServiceRoles) readUserChildren(ctx context.Context, caller *oracleCaller, users []store.OracleUserView, expand userExpansion) (*embeddedChildren, error) {
	children := &embeddedChildren{expand: expand}
	if !expand.roles && !expand.history {
		return children, nil
	}
	if expand.history {
		if _, err := s.store.SealAuditEvents(ctx); err != nil {
			return nil, err
		}
	}
	err := s.store.View(ctx, func(tx *store.Tx) error {
		return children.read(tx, caller, users)
	})
	if err != nil {
		return nil, err
	}
	return children, nil
}

// read reads the children in tx (sealed first when the history is among them).
func (c *embeddedChildren) read(tx *store.Tx, caller *oracleCaller, users []store.OracleUserView) error {
	var err error
	if c.expand.roles {
		if c.roles, err = rolesOfUsers(tx, caller, users); err != nil {
			return err
		}
	}
	if c.expand.history {
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.UserID
		}
		histories, err := tx.OracleRoleHistories(ids)
		if err != nil {
			return err
		}
		c.history = make(map[int64][]historyEntry, len(histories))
		for id, entries := range histories {
			c.history[id] = historyEntries(entries)
		}
	}
	return nil
}

func parseUserOrderBy(orderBy *string) ([]store.OracleUserOrder, error) {
	return sortKeys(orderBy, selfServiceUsersName, func(name string) (store.OracleUserField, attributeKind, bool) {
		a, known := userAttributeNamed(name)
		if !known {
			return "", 0, false
		}
		return a.field, a.kind, true
	})
}

// ListSelfServiceUsers returns a page of the self-service users.
func (s *SelfServiceRoles) ListSelfServiceUsers(ctx context.Context, request gen.ListSelfServiceUsersRequestObject) (gen.ListSelfServiceUsersResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	var (
		list     userListRequest
		page     store.OracleUserPage
		caller   *oracleCaller
		children = &embeddedChildren{}
	)
	err := s.store.View(ctx, func(tx *store.Tx) error {
		var err error
		if caller, err = readingCaller(ctx, tx); err != nil {
			return err
		}
		if list.selection, err = selectAttributes(p.Fields, selfServiceUsersName, userAttributeNamed); err != nil {
			return err
		}
		order, err := parseUserOrderBy(p.OrderBy)
		if err != nil {
			return err
		}
		if list.expand, err = parseUserExpand(p.Expand); err != nil {
			return err
		}
		if err := checkParentDependency(p.Dependency); err != nil {
			return err
		}
		filter, err := parseQ(p.Q, framework.version, userQAttributes, s.store.Dialect())
		if err != nil {
			return err
		}
		limit, offset := pageBounds(p.Limit, p.Offset)
		list.totalResults = p.TotalResults != nil && *p.TotalResults
		list.links = newLinkSelection(p.OnlyData, p.Links)
		list.query = store.OracleUserQuery{Filter: filter, Order: order, Offset: offset, Limit: limit, CountTotal: list.totalResults}
		if page, err = tx.OracleUserPage(list.query); err != nil {
			return err
		}
		if list.expand.roles && !list.expand.history {
			// The roles alone need no sealing: read with the page.
			children.expand = list.expand
			return children.read(tx, caller, page.Users)
		}
		return nil
	})
	if err == nil && list.expand.history {
		children, err = s.readUserChildren(ctx, caller, page.Users, list.expand)
	}
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	origin := httpapi.OriginFrom(ctx)
	collection := gen.SelfServiceUserCollection{
		Items:   make([]gen.SelfServiceUser, len(page.Users)),
		Count:   int32(len(page.Users)),
		HasMore: page.HasMore,
		Limit:   int32(list.query.Limit),
		Offset:  int32(list.query.Offset),
		Links: list.links.keep([]gen.AdfLink{
			{Rel: "self", Href: origin + oracleResourcesPath + "/" + selfServiceUsersName, Name: selfServiceUsersName, Kind: gen.Collection},
			{Rel: "describe", Href: origin + oracleResourcesPath + "/" + selfServiceUsersName + "/describe", Name: selfServiceUsersName, Kind: gen.Describe},
		}),
	}
	for i := range page.Users {
		collection.Items[i] = userItem(&page.Users[i], list.selection, list.links, origin, children)
	}
	if list.totalResults {
		collection.TotalResults = &page.Total
	}
	return gen.ListSelfServiceUsers200ApplicationVndOracleAdfResourcecollectionPlusJSONResponse{Body: collection,
		Headers: gen.ListSelfServiceUsers200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// GetSelfServiceUser returns one self-service user.
func (s *SelfServiceRoles) GetSelfServiceUser(ctx context.Context, request gen.GetSelfServiceUserRequestObject) (gen.GetSelfServiceUserResponseObject, error) {
	p := request.Params
	framework := frameworkOf(p.RESTFrameworkVersion, p.MetadataContext)
	var (
		selection []*userAttribute
		expand    userExpansion
		user      *store.OracleUserView
		caller    *oracleCaller
		children  = &embeddedChildren{}
	)
	err := s.store.View(ctx, func(tx *store.Tx) error {
		var err error
		if caller, err = readingCaller(ctx, tx); err != nil {
			return err
		}
		if selection, err = selectAttributes(p.Fields, selfServiceUsersName, userAttributeNamed); err != nil {
			return err
		}
		if expand, err = parseUserExpand(p.Expand); err != nil {
			return err
		}
		if err := checkParentDependency(p.Dependency); err != nil {
			return err
		}
		user, err = tx.OracleUserViewOf(request.UserId)
		if errors.Is(err, store.ErrNotFound) {
			return newADFError(cssUserNotFound, request.UserId).at("UserId")
		}
		if err != nil {
			return err
		}
		if expand.roles && !expand.history {
			children.expand = expand
			return children.read(tx, caller, []store.OracleUserView{*user})
		}
		return nil
	})
	if err == nil && expand.history {
		children, err = s.readUserChildren(ctx, caller, []store.OracleUserView{*user}, expand)
	}
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	etag := `"` + userChangeIndicator(user, children) + `"`
	if ifNoneMatchFails(p.IfNoneMatch, etag) {
		return gen.GetSelfServiceUser304Response{
			Headers: gen.GetSelfServiceUser304ResponseHeaders{ETag: etag, RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
	}
	links := newLinkSelection(p.OnlyData, p.Links)
	return gen.GetSelfServiceUser200ApplicationVndOracleAdfResourceitemPlusJSONResponse{
		Body:    userItem(user, selection, links, httpapi.OriginFrom(ctx), children),
		Headers: gen.GetSelfServiceUser200ResponseHeaders{ETag: etag, RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// rolesOfUsers reads the active roles of the users, as the caller sees them, by user: one
// query for the roles of them all, and one for the administrators of their accounts.
func rolesOfUsers(tx *store.Tx, caller *oracleCaller, users []store.OracleUserView) (map[int64][]roleRow, error) {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.UserID
	}
	views, err := tx.ActiveOracleRolesOfUsers(ids)
	if err != nil {
		return nil, err
	}
	rows, err := roleRows(tx, caller, views)
	if err != nil {
		return nil, err
	}
	byUser := make(map[int64][]roleRow, len(users))
	for _, row := range rows {
		byUser[row.view.UserID] = append(byUser[row.view.UserID], row)
	}
	return byUser, nil
}

// userItem renders a user with the selected attributes, links and, when expanded, its
// roles and its history.
func userItem(u *store.OracleUserView, selection []*userAttribute, links linkSelection, origin string, children *embeddedChildren) gen.SelfServiceUser {
	var item gen.SelfServiceUser
	if selection == nil {
		for i := range userAttributes {
			userAttributes[i].set(&item, u)
		}
	} else {
		for _, a := range selection {
			a.set(&item, u)
		}
	}
	self := origin + selfServiceUserPath(u.UserID)
	item.Links = links.keep([]gen.AdfLink{
		{Rel: "self", Href: self, Name: selfServiceUsersName, Kind: gen.Item,
			Properties: &gen.AdfLinkProperties{ChangeIndicator: pointerTo(userChangeIndicator(u, children))}},
		{Rel: "canonical", Href: self, Name: selfServiceUsersName, Kind: gen.Item},
		{Rel: "child", Href: self + "/child/" + selfServiceRolesName, Name: selfServiceRolesName, Kind: gen.Collection},
		{Rel: "child", Href: self + "/child/" + selfServiceRolesHistoryName, Name: selfServiceRolesHistoryName, Kind: gen.Collection},
	})
	if children.expand.roles {
		rows := children.roles[u.UserID]
		embedded := gen.SelfServiceRoleCollection{
			Items: make([]gen.SelfServiceRole, len(rows)),
			Count: int32(len(rows)), Limit: int32(max(len(rows), defaultPageLimit)),
			Links: links.keep(roleCollectionLinks(origin, u.UserID)),
		}
		for i, row := range rows {
			embedded.Items[i] = roleItem(row, nil, links, origin)
		}
		item.SelfServiceRoles = &embedded
	}
	if children.expand.history {
		// As the history's own collection shows its first page (limit 25, hasMore when
		// more follow).
		item.SelfServiceRolesHistory = pointerTo(historyCollection(children.history[u.UserID], u.UserID, nil, links, origin, defaultPageLimit, 0, false))
	}
	return item
}

func (f oracleFailure) VisitListSelfServiceUsersResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitGetSelfServiceUserResponse(w http.ResponseWriter) error {
	return f.write(w)
}
