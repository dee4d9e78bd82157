package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// OraclePrivilegesOf returns the Oracle privileges of the user with this login, in one
// query; ErrNotFound when there is no such user.
func (tx *Tx) OraclePrivilegesOf(login string) ([]string, error) {
	var rows []struct {
		ID        int64
		Privilege *string
	}
	err := tx.db.Table("users").
		Select("users.id, oracle_user_privileges.privilege").
		Joins("LEFT JOIN oracle_user_privileges ON oracle_user_privileges.user_id = users.id").
		Where("users.login = ?", login).
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	privileges := []string{}
	for _, row := range rows {
		if row.Privilege != nil {
			privileges = append(privileges, *row.Privilege)
		}
	}
	return privileges, nil
}

// OracleSelfServiceUserOf loads a self-service user and, ordered, the accounts its contact
// belongs to, in one query; ErrNotFound when there is no such user.
func (tx *Tx) OracleSelfServiceUserOf(userID int64) (*OracleSelfServiceUser, []int64, error) {
	var rows []struct {
		OracleSelfServiceUser
		AccountPartyID *int64
	}
	err := tx.db.Table("oracle_self_service_users AS u").
		Select("u.user_id, u.login_id, u.contact_party_id, u.created_by, u.creation_date, u.last_updated_by, "+
			"u.last_update_date, ca.account_party_id").
		Joins("LEFT JOIN oracle_contact_accounts AS ca ON ca.contact_party_id = u.contact_party_id").
		Where("u.user_id = ?", userID).
		Order("ca.account_party_id").
		Scan(&rows).Error
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, ErrNotFound
	}
	var accounts []int64
	for _, row := range rows {
		if row.AccountPartyID != nil {
			accounts = append(accounts, *row.AccountPartyID)
		}
	}
	return &rows[0].OracleSelfServiceUser, accounts, nil
}

// OracleLookupKey names one code of one lookup type.
type OracleLookupKey struct {
	LookupType string
	Code       string
}

// OracleLookups loads the named lookup codes, enabled or not, in one query; codes that do
// not exist are absent from the map.
func (tx *Tx) OracleLookups(keys []OracleLookupKey) (map[OracleLookupKey]OracleLookup, error) {
	found := make(map[OracleLookupKey]OracleLookup, len(keys))
	if len(keys) == 0 {
		return found, nil
	}
	conditions := make([]string, len(keys))
	args := make([]any, 0, 2*len(keys))
	for i, k := range keys {
		conditions[i] = "(lookup_type = ? AND code = ?)"
		args = append(args, k.LookupType, k.Code)
	}
	var rows []OracleLookup
	if err := tx.db.Where(strings.Join(conditions, " OR "), args...).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, row := range rows {
		found[OracleLookupKey{row.LookupType, row.Code}] = row
	}
	return found, nil
}

// LockOracleAccount holds the account's row until the transaction ends, so that requests
// changing the account's roles take turns: the one-active-role and last-administrator
// rules then hold under concurrency. On PostgreSQL it is a FOR UPDATE row lock; SQLite's
// immediate transactions already hold the database's single write lock.
func (tx *Tx) LockOracleAccount(accountID int64) error {
	if tx.dialect != Postgres {
		return nil
	}
	var locked []int64
	return tx.db.Model(&OracleAccount{}).
		Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("party_id = ?", accountID).
		Pluck("party_id", &locked).Error
}

// ActiveOracleRole finds the user's active role of this relationship type on the account;
// ErrNotFound when there is none.
func (tx *Tx) ActiveOracleRole(userID, accountID int64, relationshipType string) (*OracleSelfServiceRole, error) {
	var role OracleSelfServiceRole
	err := tx.db.Where("user_id = ? AND account_party_id = ? AND relationship_type_cd = ? AND end_date IS NULL",
		userID, accountID, relationshipType).Take(&role).Error
	tx.rememberOracleRole(role, err)
	return &role, sentinel(err)
}

// OracleRoleOf finds the user's role roleID, active or ended; ErrNotFound when the user
// has no such role.
func (tx *Tx) OracleRoleOf(userID, roleID int64) (*OracleSelfServiceRole, error) {
	var role OracleSelfServiceRole
	err := tx.db.Where("user_id = ? AND role_id = ?", userID, roleID).Take(&role).Error
	tx.rememberOracleRole(role, err)
	return &role, sentinel(err)
}

// OracleRegistrationFor finds the user's registration for the account (the first one, when
// there are several); ErrNotFound when there is none.
func (tx *Tx) OracleRegistrationFor(userID, accountID int64) (*OracleRegistration, error) {
	var registration OracleRegistration
	err := tx.db.Where("user_id = ? AND account_party_id = ?", userID, accountID).
		Order("registration_id").Take(&registration).Error
	return &registration, sentinel(err)
}

// OracleRegisteredAccounts lists, ordered, the accounts the user has registrations for.
func (tx *Tx) OracleRegisteredAccounts(userID int64) ([]int64, error) {
	var accounts []int64
	err := tx.db.Model(&OracleRegistration{}).Distinct("account_party_id").
		Where("user_id = ?", userID).Order("account_party_id").Pluck("account_party_id", &accounts).Error
	return accounts, err
}

// InsertOracleRole stores a new role and sets its RoleID, and stamps its user's Who
// columns with the role's (touchOracleUser); ErrConflict when the user already holds an
// active role of this type on the account.
func (tx *Tx) InsertOracleRole(role *OracleSelfServiceRole) error {
	if err := sentinel(tx.db.Create(role).Error); err != nil {
		return err
	}
	return tx.touchOracleUser(role.UserID, role.LastUpdateDate, role.LastUpdatedBy)
}

// touchOracleUser stamps the user's LastUpdateDate and LastUpdatedBy for a write of one of
// its roles: one UPDATE by primary key, in the transaction of the role's write.
func (tx *Tx) touchOracleUser(userID int64, at time.Time, by string) error {
	return tx.db.Model(&OracleSelfServiceUser{}).Where("user_id = ?", userID).
		Updates(map[string]any{"last_update_date": at, "last_updated_by": by}).Error
}

// UpdateOracleRole writes back what a role's changes may touch: its relationship and
// request types, its end date and its who-columns, and bumps its RowVersion (in the
// database and in role); it stamps the user's Who columns as InsertOracleRole does.
// ErrConflict as for InsertOracleRole.
func (tx *Tx) UpdateOracleRole(role *OracleSelfServiceRole) error {
	err := sentinel(tx.db.Model(&OracleSelfServiceRole{}).Where("role_id = ?", role.RoleID).
		Updates(map[string]any{
			"relationship_type_cd": role.RelationshipTypeCd, "request_type_cd": role.RequestTypeCd,
			"end_date": role.EndDate, "last_updated_by": role.LastUpdatedBy,
			"last_update_date": role.LastUpdateDate, "last_update_login": role.LastUpdateLogin,
			"row_version": gorm.Expr("row_version + 1"),
		}).Error)
	if err != nil {
		return err
	}
	role.RowVersion++
	return tx.touchOracleUser(role.UserID, role.LastUpdateDate, role.LastUpdatedBy)
}

// ActiveOracleRolesOn lists the user's active roles on the account, in RoleID order.
func (tx *Tx) ActiveOracleRolesOn(userID, accountID int64) ([]OracleSelfServiceRole, error) {
	var roles []OracleSelfServiceRole
	err := tx.db.Where("user_id = ? AND account_party_id = ? AND end_date IS NULL", userID, accountID).
		Order("role_id").Find(&roles).Error
	return roles, err
}

// EndOracleRoles ends the user's active roles among roleIDs at end, stamping their
// who-columns and bumping their RowVersion, in one statement, and stamps the user's Who
// columns in one more (touchOracleUser) when it ended any.
func (tx *Tx) EndOracleRoles(userID int64, roleIDs []int64, end time.Time, updatedBy, updateLogin string) error {
	ended := tx.db.Model(&OracleSelfServiceRole{}).
		Where("user_id = ? AND role_id IN ? AND end_date IS NULL", userID, roleIDs).
		Updates(map[string]any{"end_date": end, "last_updated_by": updatedBy, "last_update_date": end,
			"last_update_login": updateLogin, "row_version": gorm.Expr("row_version + 1")})
	if ended.Error != nil || ended.RowsAffected == 0 {
		return ended.Error
	}
	return tx.touchOracleUser(userID, end, updatedBy)
}

// ActiveOracleRoleHolders lists, per account among accountIDs, the users holding an active
// role of this relationship type on it, in one query. Accounts without any are absent
// from the map.
func (tx *Tx) ActiveOracleRoleHolders(accountIDs []int64, relationshipType string) (map[int64][]int64, error) {
	holders := make(map[int64][]int64, len(accountIDs))
	if len(accountIDs) == 0 {
		return holders, nil
	}
	var rows []struct {
		AccountPartyID int64
		UserID         int64
	}
	err := tx.db.Model(&OracleSelfServiceRole{}).
		Select("account_party_id, user_id").
		Where("account_party_id IN ? AND relationship_type_cd = ? AND end_date IS NULL", accountIDs, relationshipType).
		Order("account_party_id, user_id").
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		holders[row.AccountPartyID] = append(holders[row.AccountPartyID], row.UserID)
	}
	return holders, nil
}

// OracleRoleView is a role with what its item shows of its account, contact, user and
// relationship type.
type OracleRoleView struct {
	RoleID             int64
	UserID             int64
	AccountPartyID     int64
	AccountPartyName   string
	AccountPartyNumber string
	ContactPartyID     int64
	ContactPartyName   string
	ContactPartyNumber string
	EmailAddress       *string
	LoginID            string
	RelationshipTypeCd string
	// RoleValue is the relationship type's meaning; nil if the code left the lookup.
	RoleValue       *string
	RequestTypeCd   *string
	RegistrationID  *int64
	StartDate       time.Time
	EndDate         *time.Time
	CreatedBy       string
	CreationDate    time.Time
	LastUpdatedBy   string
	LastUpdateDate  time.Time
	LastUpdateLogin string
	RowVersion      int64
}

// Active tells whether the role has not been ended.
func (v *OracleRoleView) Active() bool { return v.EndDate == nil }

// OracleRoleField is a role attribute that a page of roles can be filtered or ordered by.
type OracleRoleField string

// The fields; their values are the SQL expressions of oracleRoleViews.
const (
	OracleRoleID                 OracleRoleField = "r.role_id"
	OracleRoleAccountPartyID     OracleRoleField = "r.account_party_id"
	OracleRoleAccountPartyName   OracleRoleField = "a.name"
	OracleRoleAccountPartyNumber OracleRoleField = "a.party_number"
	OracleRoleContactPartyID     OracleRoleField = "u.contact_party_id"
	OracleRoleContactPartyName   OracleRoleField = "c.name"
	OracleRoleContactPartyNumber OracleRoleField = "c.party_number"
	OracleRoleEmailAddress       OracleRoleField = "c.email"
	OracleRoleLoginID            OracleRoleField = "u.login_id"
	OracleRoleRelationshipType   OracleRoleField = "r.relationship_type_cd"
	OracleRoleValue              OracleRoleField = "l.meaning"
	OracleRoleRequestType        OracleRoleField = "r.request_type_cd"
	OracleRoleRegistrationID     OracleRoleField = "r.registration_id"
	OracleRoleStartDate          OracleRoleField = "r.start_date"
	OracleRoleEndDate            OracleRoleField = "r.end_date"
	OracleRoleCreatedBy          OracleRoleField = "r.created_by"
	OracleRoleCreationDate       OracleRoleField = "r.creation_date"
	OracleRoleLastUpdatedBy      OracleRoleField = "r.last_updated_by"
	OracleRoleLastUpdateDate     OracleRoleField = "r.last_update_date"
	OracleRoleLastUpdateLogin    OracleRoleField = "r.last_update_login"
)

// oracleRoleFields guards the SQL built from fields: only these expressions are used.
var oracleRoleFields = map[OracleRoleField]bool{
	OracleRoleID: true, OracleRoleAccountPartyID: true, OracleRoleAccountPartyName: true,
	OracleRoleAccountPartyNumber: true, OracleRoleContactPartyID: true, OracleRoleContactPartyName: true,
	OracleRoleContactPartyNumber: true, OracleRoleEmailAddress: true, OracleRoleLoginID: true,
	OracleRoleRelationshipType: true, OracleRoleValue: true, OracleRoleRequestType: true,
	OracleRoleRegistrationID: true, OracleRoleStartDate: true, OracleRoleEndDate: true,
	OracleRoleCreatedBy: true, OracleRoleCreationDate: true, OracleRoleLastUpdatedBy: true,
	OracleRoleLastUpdateDate: true, OracleRoleLastUpdateLogin: true,
}

// OracleRoleCondition: the field equals the value.
type OracleRoleCondition struct {
	Field OracleRoleField
	Value any
}

// OracleFilter is a condition the server builds from q: SQL holding only the fields above
// (their SQL expressions), keywords, operators, parentheses, commas and ? placeholders, and
// the values bound to the placeholders. Nothing a caller wrote is part of SQL.
type OracleFilter struct {
	SQL  string
	Args []any
}

// OracleRoleOrder is one sort key of a page of roles.
type OracleRoleOrder = OracleOrder[OracleRoleField]

// OracleOrder is one sort key over fields of type F: a field, its direction, and whether
// text is compared folded to one case (orderBy=upper(Attr) or lower(Attr)).
type OracleOrder[F ~string] struct {
	Field      F
	Descending bool
	CaseFold   bool
}

// orderBy adds the sort keys to query, each field checked against allowed; then tieBreak.
// Absent values sort last in both dialects (they disagree by default).
func orderBy[F ~string](query *gorm.DB, order []OracleOrder[F], allowed map[F]bool, tieBreak string) (*gorm.DB, error) {
	for _, o := range order {
		if !allowed[o.Field] {
			return nil, fmt.Errorf("store: unknown field %q", o.Field)
		}
		direction := "ASC"
		if o.Descending {
			direction = "DESC"
		}
		key := string(o.Field)
		if o.CaseFold {
			key = "UPPER(" + key + ")"
		}
		query = query.Order(fmt.Sprintf("CASE WHEN %s IS NULL THEN 1 ELSE 0 END, %s %s", o.Field, key, direction))
	}
	return query.Order(tieBreak), nil
}

// OracleRoleQuery asks for a page of one user's roles.
type OracleRoleQuery struct {
	UserID       int64
	IncludeEnded bool
	Conditions   []OracleRoleCondition
	// Filter, when set, must hold as well.
	Filter *OracleFilter
	// Order comes first; RoleID ascending always breaks ties, so pages are stable.
	Order      []OracleRoleOrder
	Offset     int
	Limit      int
	CountTotal bool
}

// OracleRolePage is a page of roles; Total is counted only when the query asks for it.
type OracleRolePage struct {
	Roles   []OracleRoleView
	HasMore bool
	Total   int64
}

// oracleRoleViewColumns are the columns of OracleRoleView.
const oracleRoleViewColumns = `r.role_id, r.user_id, r.account_party_id, a.name AS account_party_name,
	a.party_number AS account_party_number, u.contact_party_id, c.name AS contact_party_name,
	c.party_number AS contact_party_number, c.email AS email_address, u.login_id,
	r.relationship_type_cd, l.meaning AS role_value, r.request_type_cd, r.registration_id,
	r.start_date, r.end_date, r.created_by, r.creation_date, r.last_updated_by,
	r.last_update_date, r.last_update_login, r.row_version`

// oracleRoleViews joins a role to its account, user, contact and relationship type.
func (tx *Tx) oracleRoleViews() *gorm.DB {
	return tx.db.Table("oracle_self_service_roles AS r").
		Joins("JOIN oracle_accounts AS a ON a.party_id = r.account_party_id").
		Joins("JOIN oracle_self_service_users AS u ON u.user_id = r.user_id").
		Joins("JOIN oracle_contacts AS c ON c.party_id = u.contact_party_id").
		Joins("LEFT JOIN oracle_lookups AS l ON l.lookup_type = ? AND l.code = r.relationship_type_cd", LookupRelationshipType)
}

// OracleRolePage returns a page of the user's roles: one query for the page (one row more
// than the limit tells whether more follow), and one to count them when asked.
func (tx *Tx) OracleRolePage(q OracleRoleQuery) (OracleRolePage, error) {
	filtered := tx.oracleRoleViews().Where("r.user_id = ?", q.UserID)
	if !q.IncludeEnded {
		filtered = filtered.Where("r.end_date IS NULL")
	}
	for _, c := range q.Conditions {
		if !oracleRoleFields[c.Field] {
			return OracleRolePage{}, fmt.Errorf("store: unknown role field %q", c.Field)
		}
		filtered = filtered.Where(string(c.Field)+" = ?", c.Value)
	}
	if q.Filter != nil {
		// Parenthesized: the filter's OR can't reach the conditions above.
		filtered = filtered.Where("("+q.Filter.SQL+")", q.Filter.Args...)
	}
	roles, hasMore, total, err := readPage[OracleRoleView](filtered, q.CountTotal, func(filtered *gorm.DB) (*gorm.DB, error) {
		return orderBy(filtered.Select(oracleRoleViewColumns), q.Order, oracleRoleFields, "r.role_id")
	}, q.Offset, q.Limit)
	return OracleRolePage{Roles: roles, HasMore: hasMore, Total: total}, err
}

// readPage reads a page of the selection filtered: its count when countTotal, then the rows
// of the query columnsAndOrder makes of it, from offset, one row more than limit telling
// whether more follow.
func readPage[T any](filtered *gorm.DB, countTotal bool, columnsAndOrder func(*gorm.DB) (*gorm.DB, error), offset, limit int) (rows []T, hasMore bool, total int64, err error) {
	// A new session lets the count and the page each build on the filter.
	filtered = filtered.Session(&gorm.Session{})
	if countTotal {
		if err := filtered.Count(&total).Error; err != nil {
			return nil, false, 0, err
		}
	}
	query, err := columnsAndOrder(filtered)
	if err != nil {
		return nil, false, 0, err
	}
	if err := query.Offset(offset).Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, false, 0, err
	}
	if len(rows) > limit {
		rows, hasMore = rows[:limit], true
	}
	return rows, hasMore, total, nil
}

// OracleRoleViewOf returns the user's role roleID, active or ended; ErrNotFound when the
// user has no such role.
func (tx *Tx) OracleRoleViewOf(userID, roleID int64) (*OracleRoleView, error) {
	page, err := tx.OracleRolePage(OracleRoleQuery{
		UserID: userID, IncludeEnded: true, Limit: 1,
		Conditions: []OracleRoleCondition{{Field: OracleRoleID, Value: roleID}},
	})
	if err != nil {
		return nil, err
	}
	if len(page.Roles) == 0 {
		return nil, ErrNotFound
	}
	return &page.Roles[0], nil
}
