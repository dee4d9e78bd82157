package oracle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

// SelfServiceRoles serves Oracle Fusion's customerSelfServiceUsers/{UserId}/child/SelfServiceRoles.
type SelfServiceRoles struct {
	store *store.Store
	// batchParts is the server a batch sends its parts through (SendBatchPartsTo).
	batchParts http.Handler
}

// CreateSelfServiceRole gives a self-service user a role on an account, or with
// Upsert-Mode: true updates the active role of the same type on that account.
func (s *SelfServiceRoles) CreateSelfServiceRole(ctx context.Context, request gen.CreateSelfServiceRoleRequestObject) (gen.CreateSelfServiceRoleResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	body, err := requestBody(request.JSONBody, request.ApplicationVndOracleAdfResourceitemPlusJSONBody)
	if err != nil {
		return nil, err
	}
	upsert := request.Params.UpsertMode != nil && *request.Params.UpsertMode
	var (
		row     roleRow
		updated bool
	)
	err = s.store.Transaction(ctx, func(tx *store.Tx) error {
		caller, err := managingCaller(ctx, tx, "create")
		if err != nil {
			return err
		}
		user, accounts, err := selfServiceUser(tx, request.UserId)
		if err != nil {
			return err
		}
		account, err := roleAccount(tx, user, accounts, body)
		if err != nil {
			return err
		}
		if body.RelationshipTypeCd == nil {
			return newADFError(adfAttributeRequired, "RelationshipTypeCd", selfServiceRolesName, "it is the type of the role").at("RelationshipTypeCd")
		}
		if err := requireEnabledCodes(tx, body.RelationshipTypeCd, body.RequestTypeCd); err != nil {
			return err
		}
		role, upserted, err := addRole(tx, caller, user.UserID, account, body, upsert)
		if err != nil {
			return err
		}
		updated = upserted
		if err := tx.AuditOracleRole(role); err != nil {
			return err
		}
		row, err = roleRowOf(tx, caller, user.UserID, role.RoleID)
		return err
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	origin := httpapi.OriginFrom(ctx)
	item := roleItem(row, nil, linkSelection{}, origin)
	if updated {
		return gen.CreateSelfServiceRole200ApplicationVndOracleAdfResourceitemPlusJSONResponse{Body: item,
			Headers: gen.CreateSelfServiceRole200ResponseHeaders{ETag: roleETag(row.view),
				RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
	}
	return gen.CreateSelfServiceRole201ApplicationVndOracleAdfResourceitemPlusJSONResponse{Body: item,
		Headers: gen.CreateSelfServiceRole201ResponseHeaders{
			Location:             origin + selfServiceRolePath(row.view.UserID, row.view.RoleID),
			ETag:                 roleETag(row.view),
			RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext,
		}}, nil
}

// ListSelfServiceRoles returns a page of a self-service user's roles.
func (s *SelfServiceRoles) ListSelfServiceRoles(ctx context.Context, request gen.ListSelfServiceRolesRequestObject) (gen.ListSelfServiceRolesResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	var (
		list roleListRequest
		page store.OracleRolePage
		rows []roleRow
	)
	err := s.store.View(ctx, func(tx *store.Tx) error {
		caller, err := readingCaller(ctx, tx)
		if err != nil {
			return err
		}
		if list, err = parseRoleListRequest(request.UserId, request.Params, framework, s.store.Dialect()); err != nil {
			return err
		}
		if err := checkParentDependency(request.Params.Dependency); err != nil {
			return err
		}
		if _, _, err := selfServiceUser(tx, request.UserId); err != nil {
			return err
		}
		if page, err = tx.OracleRolePage(list.query); err != nil {
			return err
		}
		rows, err = roleRows(tx, caller, page.Roles)
		return err
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	origin := httpapi.OriginFrom(ctx)
	collection := gen.SelfServiceRoleCollection{
		Items:   make([]gen.SelfServiceRole, len(rows)),
		Count:   int32(len(rows)),
		HasMore: page.HasMore,
		Limit:   int32(list.query.Limit),
		Offset:  int32(list.query.Offset),
		Links:   list.links.keep(roleCollectionLinks(origin, request.UserId)),
	}
	for i, row := range rows {
		collection.Items[i] = roleItem(row, list.selection, list.links, origin)
	}
	if list.totalResults {
		collection.TotalResults = &page.Total
	}
	return gen.ListSelfServiceRoles200ApplicationVndOracleAdfResourcecollectionPlusJSONResponse{Body: collection,
		Headers: gen.ListSelfServiceRoles200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// GetSelfServiceRole returns one role of a self-service user, active or ended.
func (s *SelfServiceRoles) GetSelfServiceRole(ctx context.Context, request gen.GetSelfServiceRoleRequestObject) (gen.GetSelfServiceRoleResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	var (
		selection attributeSelection
		row       roleRow
		preview   bool
	)
	err := s.store.View(ctx, func(tx *store.Tx) error {
		caller, err := readingCaller(ctx, tx)
		if err != nil {
			return err
		}
		if selection, err = parseFields(request.Params.Fields); err != nil {
			return err
		}
		if err := checkExpand(request.Params.Expand); err != nil {
			return err
		}
		if _, err := parseDependency(request.Params.Dependency); err != nil {
			return err
		}
		if _, _, err := selfServiceUser(tx, request.UserId); err != nil {
			return err
		}
		if row, err = roleRowOf(tx, caller, request.UserId, request.RoleId); err != nil {
			return err
		}
		preview, err = previewRole(tx, &row, request.Params.Dependency)
		return err
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	links := newLinkSelection(request.Params.OnlyData, request.Params.Links)
	headers := gen.GetSelfServiceRole200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}
	// A preview is not the role as stored: no tag, and no 304.
	if !preview {
		etag := roleETag(row.view)
		if ifNoneMatchFails(request.Params.IfNoneMatch, etag) {
			return gen.GetSelfServiceRole304Response{
				Headers: gen.GetSelfServiceRole304ResponseHeaders{ETag: etag, RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
		}
		headers.ETag = &etag
	}
	return gen.GetSelfServiceRole200ApplicationVndOracleAdfResourceitemPlusJSONResponse{Body: roleItem(row, selection, links, httpapi.OriginFrom(ctx)), Headers: headers}, nil
}

// UpdateSelfServiceRole changes the relationship or request type of an active role.
func (s *SelfServiceRoles) UpdateSelfServiceRole(ctx context.Context, request gen.UpdateSelfServiceRoleRequestObject) (gen.UpdateSelfServiceRoleResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	body, err := requestBody(request.JSONBody, request.ApplicationVndOracleAdfResourceitemPlusJSONBody)
	if err != nil {
		return nil, err
	}
	var row roleRow
	err = s.store.Transaction(ctx, func(tx *store.Tx) error {
		caller, err := managingCaller(ctx, tx, "update")
		if err != nil {
			return err
		}
		if err := refuseFixedAttributes(body); err != nil {
			return err
		}
		role, err := roleToChange(tx, request.UserId, request.RoleId)
		if err != nil {
			return err
		}
		if err := requireIfMatch(request.Params.IfMatch, role); err != nil {
			return err
		}
		if role.EndDate != nil {
			return newADFError(cssRoleEnded, role.RoleID, adfDate(*role.EndDate)).at("RoleId")
		}
		if err := changeRole(tx, caller, role, body); err != nil {
			return err
		}
		if err := tx.AuditOracleRole(role); err != nil {
			return err
		}
		row, err = roleRowOf(tx, caller, role.UserID, role.RoleID)
		return err
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.UpdateSelfServiceRole200ApplicationVndOracleAdfResourceitemPlusJSONResponse{Body: roleItem(row, nil, linkSelection{}, httpapi.OriginFrom(ctx)),
		Headers: gen.UpdateSelfServiceRole200ResponseHeaders{ETag: roleETag(row.view), RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// DeleteSelfServiceRole ends an active role; ending a user's ORA_CSS_USER role ends the
// user's self-service access to the account, so the user's other active roles on the
// account end with it.
func (s *SelfServiceRoles) DeleteSelfServiceRole(ctx context.Context, request gen.DeleteSelfServiceRoleRequestObject) (gen.DeleteSelfServiceRoleResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	err := s.store.Transaction(ctx, func(tx *store.Tx) error {
		caller, err := managingCaller(ctx, tx, "delete")
		if err != nil {
			return err
		}
		role, err := roleToChange(tx, request.UserId, request.RoleId)
		if err != nil {
			return err
		}
		if err := requireIfMatch(request.Params.IfMatch, role); err != nil {
			return err
		}
		if role.EndDate != nil {
			return newADFError(cssActiveRoleNotFound, role.UserID, role.RoleID, adfDate(*role.EndDate)).at("RoleId")
		}
		ending, err := rolesEndingWith(tx, role)
		if err != nil {
			return err
		}
		if err := requireNotLastAdmin(tx, caller, role, ending); err != nil {
			return err
		}
		ids := make([]int64, len(ending))
		for i, r := range ending {
			ids[i] = r.RoleID
		}
		// One reading of the clock: the audited end date is the stored one.
		end := time.Now().UTC()
		if err := tx.AuditOracleRolesEnding(ending, end); err != nil {
			return err
		}
		return tx.EndOracleRoles(role.UserID, ids, end, caller.who, caller.updateLogin())
	})
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.DeleteSelfServiceRole204Response{
		Headers: gen.DeleteSelfServiceRole204ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// readingCaller loads the caller and checks that it may read roles. Every operation checks
// the caller's privilege first, so that a caller without it learns nothing else of the
// request, valid or not.
func readingCaller(ctx context.Context, tx *store.Tx) (*oracleCaller, error) {
	caller, err := loadOracleCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	return caller, caller.requireRead()
}

// managingCaller loads the caller and checks that it may create, change and remove roles.
func managingCaller(ctx context.Context, tx *store.Tx, action string) (*oracleCaller, error) {
	caller, err := loadOracleCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	return caller, caller.requireManage(action)
}

// selfServiceUser loads the self-service user of the path and the accounts of its contact.
func selfServiceUser(tx *store.Tx, userID int64) (*store.OracleSelfServiceUser, []int64, error) {
	user, accounts, err := tx.OracleSelfServiceUserOf(userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, newADFError(cssUserNotFound, userID).at("UserId")
	}
	return user, accounts, err
}

// roleAccount checks the contact, login and account a new role names against its
// self-service user, and returns the role's account: the one given, else the only account
// of the user's contact, else the only one of them the user registered for.
func roleAccount(tx *store.Tx, user *store.OracleSelfServiceUser, accounts []int64, body *gen.SelfServiceRoleCreate) (int64, error) {
	if body.ContactPartyId != nil && *body.ContactPartyId != user.ContactPartyID {
		return 0, newADFError(cssContactMismatch, *body.ContactPartyId, user.UserID, user.ContactPartyID).at("ContactPartyId")
	}
	if body.LoginId != nil && !strings.EqualFold(*body.LoginId, user.LoginID) {
		return 0, newADFError(cssLoginMismatch, *body.LoginId, user.UserID).at("LoginId")
	}
	if body.AccountPartyId != nil {
		if !slices.Contains(accounts, *body.AccountPartyId) {
			return 0, newADFError(cssAccountNotOfContact, *body.AccountPartyId, user.ContactPartyID, user.UserID).at("AccountPartyId")
		}
		return *body.AccountPartyId, nil
	}
	if len(accounts) == 1 {
		return accounts[0], nil
	}
	reason := fmt.Sprintf("contact %d of self-service user %d belongs to no account", user.ContactPartyID, user.UserID)
	if len(accounts) > 1 {
		registered, err := tx.OracleRegisteredAccounts(user.UserID)
		if err != nil {
			return 0, err
		}
		registered = slices.DeleteFunc(registered, func(a int64) bool { return !slices.Contains(accounts, a) })
		if len(registered) == 1 {
			return registered[0], nil
		}
		reason = fmt.Sprintf("contact %d of self-service user %d belongs to %d accounts, and the user has registrations for %d of them",
			user.ContactPartyID, user.UserID, len(accounts), len(registered))
	}
	return 0, newADFError(adfAttributeRequired, "AccountPartyId", selfServiceRolesName, reason).at("AccountPartyId")
}

// requireEnabledCodes checks, with one query, that each given code is an enabled code of
// its lookup.
func requireEnabledCodes(tx *store.Tx, relationshipType, requestType *string) error {
	var keys []store.OracleLookupKey
	if relationshipType != nil {
		keys = append(keys, store.OracleLookupKey{LookupType: store.LookupRelationshipType, Code: *relationshipType})
	}
	if requestType != nil {
		keys = append(keys, store.OracleLookupKey{LookupType: store.LookupRequestType, Code: *requestType})
	}
	found, err := tx.OracleLookups(keys)
	if err != nil {
		return err
	}
	if relationshipType != nil && !found[keys[0]].Enabled {
		return newADFError(cssInvalidRelationshipType, *relationshipType).at("RelationshipTypeCd")
	}
	if requestType != nil && !found[keys[len(keys)-1]].Enabled {
		return newADFError(cssInvalidRequestType, *requestType).at("RequestTypeCd")
	}
	return nil
}

// addRole stores the new role, or with upsert updates the user's active role of the same
// type on the account (its request type when one is given, and its who-columns) and says so.
func addRole(tx *store.Tx, caller *oracleCaller, userID, account int64, body *gen.SelfServiceRoleCreate, upsert bool) (*store.OracleSelfServiceRole, bool, error) {
	// Requests changing the account's roles take turns from here on.
	if err := tx.LockOracleAccount(account); err != nil {
		return nil, false, err
	}
	now := time.Now().UTC()
	role, err := tx.ActiveOracleRole(userID, account, *body.RelationshipTypeCd)
	switch {
	case err == nil && upsert:
		if body.RequestTypeCd != nil {
			role.RequestTypeCd = body.RequestTypeCd
		}
		caller.stamp(role, now)
		return role, true, tx.UpdateOracleRole(role)
	case err == nil:
		return nil, false, duplicateRole(userID, *body.RelationshipTypeCd, account)
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	}
	if role, err = newRole(tx, caller, userID, account, body, now); err != nil {
		return nil, false, err
	}
	err = tx.InsertOracleRole(role)
	if errors.Is(err, store.ErrConflict) {
		return nil, false, duplicateRole(userID, *body.RelationshipTypeCd, account)
	}
	return role, false, err
}

// newRole is the role a create request adds, stamped now: its registration is the user's
// registration for the account, whose request type it takes when the request names none.
func newRole(tx *store.Tx, caller *oracleCaller, userID, account int64, body *gen.SelfServiceRoleCreate, now time.Time) (*store.OracleSelfServiceRole, error) {
	role := &store.OracleSelfServiceRole{
		UserID: userID, AccountPartyID: account,
		RelationshipTypeCd: *body.RelationshipTypeCd, RequestTypeCd: body.RequestTypeCd,
		StartDate: now, CreatedBy: caller.who, CreationDate: now, RowVersion: 1,
	}
	registration, err := tx.OracleRegistrationFor(userID, account)
	switch {
	case err == nil:
		role.RegistrationID = &registration.RegistrationID
		if role.RequestTypeCd == nil {
			role.RequestTypeCd = &registration.RequestTypeCd
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	caller.stamp(role, now)
	return role, nil
}

// stamp fills a role's who-columns for a change the caller makes now.
func (c *oracleCaller) stamp(role *store.OracleSelfServiceRole, now time.Time) {
	role.LastUpdatedBy, role.LastUpdateDate, role.LastUpdateLogin = c.who, now, c.updateLogin()
}

// changeRole applies an update's relationship and request types to an active role, when
// they differ from its own.
func changeRole(tx *store.Tx, caller *oracleCaller, role *store.OracleSelfServiceRole, body *gen.SelfServiceRoleUpdate) error {
	relationshipType := changed(body.RelationshipTypeCd, &role.RelationshipTypeCd)
	requestType := changed(body.RequestTypeCd, role.RequestTypeCd)
	if relationshipType == nil && requestType == nil {
		return nil
	}
	if err := requireEnabledCodes(tx, relationshipType, requestType); err != nil {
		return err
	}
	if relationshipType != nil {
		// The role stops being what it was: as if it were removed.
		if err := requireNotLastAdmin(tx, caller, role, []store.OracleSelfServiceRole{*role}); err != nil {
			return err
		}
		_, err := tx.ActiveOracleRole(role.UserID, role.AccountPartyID, *relationshipType)
		if err == nil {
			return duplicateRole(role.UserID, *relationshipType, role.AccountPartyID)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		role.RelationshipTypeCd = *relationshipType
	}
	if requestType != nil {
		role.RequestTypeCd = requestType
	}
	caller.stamp(role, time.Now().UTC())
	err := tx.UpdateOracleRole(role)
	if errors.Is(err, store.ErrConflict) {
		return duplicateRole(role.UserID, role.RelationshipTypeCd, role.AccountPartyID)
	}
	return err
}

// roleToChange checks that the self-service user exists and finds the user's role with its
// account locked.
func roleToChange(tx *store.Tx, userID, roleID int64) (*store.OracleSelfServiceRole, error) {
	if _, _, err := selfServiceUser(tx, userID); err != nil {
		return nil, err
	}
	return lockedRole(tx, userID, roleID)
}

// lockedRole finds the user's role and locks its account; the role is read again under
// the lock, so a change committed meanwhile is seen.
func lockedRole(tx *store.Tx, userID, roleID int64) (*store.OracleSelfServiceRole, error) {
	role, err := tx.OracleRoleOf(userID, roleID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newADFError(cssRoleNotFound, userID, roleID).at("RoleId")
	}
	if err != nil {
		return nil, err
	}
	if err := tx.LockOracleAccount(role.AccountPartyID); err != nil {
		return nil, err
	}
	return tx.OracleRoleOf(userID, roleID)
}

// rolesEndingWith lists the roles that end when role does: itself, and for the user's
// self-service access (ORA_CSS_USER) every active role of the user on the account.
func rolesEndingWith(tx *store.Tx, role *store.OracleSelfServiceRole) ([]store.OracleSelfServiceRole, error) {
	if role.RelationshipTypeCd != store.RelationshipUser {
		return []store.OracleSelfServiceRole{*role}, nil
	}
	return tx.ActiveOracleRolesOn(role.UserID, role.AccountPartyID)
}

// requireNotLastAdmin: an account keeps one active administrator, unless the caller holds
// the privilege to remove the last one. ending are the roles of role's account that stop
// being what they are when the request changes or removes role (role among them); the
// account's row is locked by the caller.
func requireNotLastAdmin(tx *store.Tx, caller *oracleCaller, role *store.OracleSelfServiceRole, ending []store.OracleSelfServiceRole) error {
	if caller.holds(privilegeDeleteLastAdmin) {
		return nil
	}
	i := slices.IndexFunc(ending, func(r store.OracleSelfServiceRole) bool {
		return r.RelationshipTypeCd == store.RelationshipAccountAdmin
	})
	if i < 0 {
		return nil
	}
	admin := ending[i] // a user holds one active administrator role per account at most
	holders, err := tx.ActiveOracleRoleHolders([]int64{admin.AccountPartyID}, store.RelationshipAccountAdmin)
	if err != nil {
		return err
	}
	switch {
	case len(holders[admin.AccountPartyID]) > 1:
		return nil
	case admin.RoleID == role.RoleID:
		return newADFError(cssLastAccountAdmin, role.RoleID, role.AccountPartyID).at("RoleId")
	}
	return newADFError(cssLastAccountAdminWithAccess, role.RoleID, role.UserID, role.AccountPartyID, admin.RoleID).at("RoleId")
}

// refuseFixedAttributes: the attributes naming whose role it is never change.
func refuseFixedAttributes(body *gen.SelfServiceRoleUpdate) error {
	for _, fixed := range []struct {
		name  string
		given bool
	}{
		{"AccountPartyId", body.AccountPartyId != nil},
		{"ContactPartyId", body.ContactPartyId != nil},
		{"LoginId", body.LoginId != nil},
	} {
		if fixed.given {
			return newADFError(cssNotUpdatableAttribute, fixed.name, selfServiceRolesName).at(fixed.name)
		}
	}
	return nil
}

func duplicateRole(userID int64, relationshipType string, account int64) error {
	return newADFError(cssDuplicateRole, userID, relationshipType, account).at("RelationshipTypeCd")
}

// roleRowOf reads one role of the user as the caller sees it.
func roleRowOf(tx *store.Tx, caller *oracleCaller, userID, roleID int64) (roleRow, error) {
	view, err := tx.OracleRoleViewOf(userID, roleID)
	if errors.Is(err, store.ErrNotFound) {
		return roleRow{}, newADFError(cssRoleNotFound, userID, roleID).at("RoleId")
	}
	if err != nil {
		return roleRow{}, err
	}
	rows, err := roleRows(tx, caller, []store.OracleRoleView{*view})
	if err != nil {
		return roleRow{}, err
	}
	return rows[0], nil
}

// roleRows works out what the caller may do to each role: update and delete active roles
// with the manage privilege, except, without the privilege for it, delete a role whose end
// would end the last active administrator of an account. One query finds the
// administrators of every account concerned.
func roleRows(tx *store.Tx, caller *oracleCaller, views []store.OracleRoleView) ([]roleRow, error) {
	rows := make([]roleRow, len(views))
	guarded := !caller.holds(privilegeDeleteLastAdmin)
	var accounts []int64
	for i := range views {
		view := &views[i]
		manageable := caller.canManage() && view.Active()
		rows[i] = roleRow{view: view, canUpdate: manageable, canDelete: manageable}
		if manageable && guarded && mayEndAnAdmin(view) && !slices.Contains(accounts, view.AccountPartyID) {
			accounts = append(accounts, view.AccountPartyID)
		}
	}
	if len(accounts) == 0 {
		return rows, nil
	}
	admins, err := tx.ActiveOracleRoleHolders(accounts, store.RelationshipAccountAdmin)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if view := rows[i].view; rows[i].canDelete && guarded && mayEndAnAdmin(view) && endsLastAdmin(view, admins[view.AccountPartyID]) {
			rows[i].canDelete = false
		}
	}
	return rows, nil
}

// mayEndAnAdmin tells whether removing the role can end an administrator role: it is one,
// or it is the self-service access its user's other roles end with.
func mayEndAnAdmin(view *store.OracleRoleView) bool {
	return view.RelationshipTypeCd == store.RelationshipAccountAdmin || view.RelationshipTypeCd == store.RelationshipUser
}

// endsLastAdmin tells whether removing an active role ends the last active administrator
// of its account, whose administrators are admins (their user ids).
func endsLastAdmin(view *store.OracleRoleView, admins []int64) bool {
	if view.RelationshipTypeCd == store.RelationshipAccountAdmin {
		return len(admins) <= 1
	}
	return len(admins) == 1 && admins[0] == view.UserID
}

// changed returns the requested value when it differs from the current one, else nil.
func changed(requested, current *string) *string {
	if requested == nil || (current != nil && *requested == *current) {
		return nil
	}
	return requested
}

// requestBody picks the body of whichever media type the request was sent as. Validation
// admits only the declared media types, and canonicalizeContentType spells them as the
// generated handler matches them, so a request without either body is a defect: an error,
// not a refusal.
func requestBody[T any](bodies ...*T) (*T, error) {
	for _, body := range bodies {
		if body != nil {
			return body, nil
		}
	}
	return nil, errors.New("oracle: a validated request reached its handler without a body of a declared media type")
}

// New serves the API over s.
func New(s *store.Store) *SelfServiceRoles { return &SelfServiceRoles{store: s} }
