package store

import (
	"time"

	"gorm.io/gorm"
)

// OracleUserView is a self-service user with what its item shows of its contact and its
// account. The account is the one its contact belongs to when there is exactly one, else
// the one of them the user has registrations for when there is exactly one; otherwise the
// account fields are nil.
type OracleUserView struct {
	UserID             int64
	LoginID            string
	ContactPartyID     int64
	ContactPartyName   string
	ContactPartyNumber string
	EmailAddress       *string
	AccountPartyID     *int64
	AccountPartyName   *string
	AccountPartyNumber *string
	// The user row's Who columns (see OracleSelfServiceUser).
	CreatedBy      string
	CreationDate   time.Time
	LastUpdatedBy  string
	LastUpdateDate time.Time
}

// OracleUserField is a user attribute that a page of users can be ordered by.
type OracleUserField string

// The fields; their values are the SQL expressions of oracleUserViews.
const (
	OracleUserID                 OracleUserField = "u.user_id"
	OracleUserLoginID            OracleUserField = "u.login_id"
	OracleUserContactPartyID     OracleUserField = "u.contact_party_id"
	OracleUserContactPartyName   OracleUserField = "c.name"
	OracleUserContactPartyNumber OracleUserField = "c.party_number"
	OracleUserEmailAddress       OracleUserField = "c.email"
	OracleUserAccountPartyID     OracleUserField = "a.party_id"
	OracleUserAccountPartyName   OracleUserField = "a.name"
	OracleUserAccountPartyNumber OracleUserField = "a.party_number"
	OracleUserCreatedBy          OracleUserField = "u.created_by"
	OracleUserCreationDate       OracleUserField = "u.creation_date"
	OracleUserLastUpdatedBy      OracleUserField = "u.last_updated_by"
	OracleUserLastUpdateDate     OracleUserField = "u.last_update_date"
)

// oracleUserFields guards the SQL built from fields: only these expressions are used.
var oracleUserFields = map[OracleUserField]bool{
	OracleUserID: true, OracleUserLoginID: true, OracleUserContactPartyID: true,
	OracleUserContactPartyName: true, OracleUserContactPartyNumber: true, OracleUserEmailAddress: true,
	OracleUserAccountPartyID: true, OracleUserAccountPartyName: true, OracleUserAccountPartyNumber: true,
	OracleUserCreatedBy: true, OracleUserCreationDate: true, OracleUserLastUpdatedBy: true,
	OracleUserLastUpdateDate: true,
}

// OracleUserOrder is one sort key of a page of users.
type OracleUserOrder = OracleOrder[OracleUserField]

// OracleUserQuery asks for a page of self-service users.
type OracleUserQuery struct {
	// UserID, when set, keeps only that user.
	UserID *int64
	// Filter, when set, must hold (q, over the OracleUserField expressions).
	Filter *OracleFilter
	// Order comes first; UserID ascending always breaks ties, so pages are stable.
	Order      []OracleUserOrder
	Offset     int
	Limit      int
	CountTotal bool
}

// OracleUserPage is a page of users; Total is counted only when the query asks for it.
type OracleUserPage struct {
	Users   []OracleUserView
	HasMore bool
	Total   int64
}

const oracleUserViewColumns = `u.user_id, u.login_id, u.contact_party_id, c.name AS contact_party_name,
	c.party_number AS contact_party_number, c.email AS email_address, a.party_id AS account_party_id,
	a.name AS account_party_name, a.party_number AS account_party_number, u.created_by, u.creation_date,
	u.last_updated_by, u.last_update_date`

// oracleUserViews joins a user to its contact and to its account, chosen as OracleUserView
// says: the contact's only account, else the only one of them the user registered for.
func (tx *Tx) oracleUserViews() *gorm.DB {
	return tx.db.Table("oracle_self_service_users AS u").
		Joins("JOIN oracle_contacts AS c ON c.party_id = u.contact_party_id").
		Joins(`LEFT JOIN oracle_accounts AS a ON a.party_id = COALESCE(
			(SELECT CASE WHEN COUNT(*) = 1 THEN MIN(ca.account_party_id) END
			   FROM oracle_contact_accounts AS ca WHERE ca.contact_party_id = u.contact_party_id),
			(SELECT CASE WHEN COUNT(DISTINCT reg.account_party_id) = 1 THEN MIN(reg.account_party_id) END
			   FROM oracle_registrations AS reg
			   JOIN oracle_contact_accounts AS rca
			     ON rca.contact_party_id = u.contact_party_id AND rca.account_party_id = reg.account_party_id
			  WHERE reg.user_id = u.user_id))`)
}

// OracleUserPage returns a page of users: one query for the page (one row more than the
// limit tells whether more follow), and one to count them when asked.
func (tx *Tx) OracleUserPage(q OracleUserQuery) (OracleUserPage, error) {
	filtered := tx.oracleUserViews()
	if q.UserID != nil {
		filtered = filtered.Where("u.user_id = ?", *q.UserID)
	}
	if q.Filter != nil {
		// Parenthesized: the filter's OR can't reach the condition above.
		filtered = filtered.Where("("+q.Filter.SQL+")", q.Filter.Args...)
	}
	users, hasMore, total, err := readPage[OracleUserView](filtered, q.CountTotal, func(filtered *gorm.DB) (*gorm.DB, error) {
		return orderBy(filtered.Select(oracleUserViewColumns), q.Order, oracleUserFields, "u.user_id")
	}, q.Offset, q.Limit)
	return OracleUserPage{Users: users, HasMore: hasMore, Total: total}, err
}

// OracleUserViewOf returns one user; ErrNotFound when there is none.
func (tx *Tx) OracleUserViewOf(userID int64) (*OracleUserView, error) {
	page, err := tx.OracleUserPage(OracleUserQuery{UserID: &userID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Users) == 0 {
		return nil, ErrNotFound
	}
	return &page.Users[0], nil
}

// ActiveOracleRolesOfUsers lists the active roles of the users, by user and then RoleID,
// in one query.
func (tx *Tx) ActiveOracleRolesOfUsers(userIDs []int64) ([]OracleRoleView, error) {
	var roles []OracleRoleView
	if len(userIDs) == 0 {
		return roles, nil
	}
	err := tx.oracleRoleViews().Select(oracleRoleViewColumns).
		Where("r.user_id IN ? AND r.end_date IS NULL", userIDs).
		Order("r.user_id, r.role_id").Scan(&roles).Error
	return roles, err
}
