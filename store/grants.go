package store

import (
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// SettingCustomerDepartmentalization names the eGain application setting that confines
// grants to customers of one department.
const SettingCustomerDepartmentalization = "customerDepartmentalization"

// CustomersAndDepartmentalization loads the customers with the given ids in one query,
// ordered by id, and tells whether customer departmentalization is on: the eGain rules
// always need both. With lockRows the rows are locked until the transaction ends (on
// PostgreSQL, FOR UPDATE in id order so concurrent requests cannot deadlock; SQLite's
// immediate transactions already hold the database's single write lock). The setting comes
// back on every customer row, so this is one statement whenever one of the customers
// exists; only when none does is the setting read on its own.
func (tx *Tx) CustomersAndDepartmentalization(ids []int64, lockRows bool) ([]Customer, bool, error) {
	// Scanned by hand: GORM's scan of a struct took as much CPU as the query (issue 12).
	query := `SELECT id, name, type, department_id, can_sign_in, (SELECT value FROM settings WHERE name = ?)
FROM customers WHERE id IN ? ORDER BY id`
	if lockRows && tx.dialect == Postgres {
		query += " FOR UPDATE"
	}
	rows, err := tx.db.Raw(query, SettingCustomerDepartmentalization, ids).Rows()
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	customers := make([]Customer, 0, len(ids))
	var departmentalization *string
	for rows.Next() {
		var c Customer
		if err := rows.Scan(&c.ID, &c.Name, &c.Type, &c.DepartmentID, &c.CanSignIn, &departmentalization); err != nil {
			return nil, false, err
		}
		customers = append(customers, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	_ = rows.Close() // the setting's own read below needs the connection
	if len(customers) == 0 {
		on, err := tx.CustomerDepartmentalization()
		return nil, on, err
	}
	on, err := parseSetting(departmentalization)
	return customers, on, err
}

// CustomerDepartmentalization tells whether the setting is on; absent means off.
func (tx *Tx) CustomerDepartmentalization() (bool, error) {
	var setting Setting
	err := tx.db.Where("name = ?", SettingCustomerDepartmentalization).Take(&setting).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return parseSetting(&setting.Value)
}

// parseSetting reads a boolean setting's value; absent (nil) means off.
func parseSetting(value *string) (bool, error) {
	if value == nil {
		return false, nil
	}
	return strconv.ParseBool(*value)
}

// GrantCounts is what the limits on grants need to know before adding grants on one customer.
type GrantCounts struct {
	// Existing are the grantees that already hold a grant on the customer.
	Existing []int64
	// Holders counts the customers holding grants on the customer.
	Holders int64
	// Held counts, for each grantee, the customers it holds grants on; grantees holding
	// none are absent.
	Held map[int64]int64
}

// CountGrants reads, in one statement, which of granteeIDs already hold a grant on
// grantedOnID, how many customers hold grants on grantedOnID, and how many customers each
// grantee holds grants on. One round trip instead of three: the grant write path's
// statements are its cost (issue 12's profile).
func (tx *Tx) CountGrants(grantedOnID int64, granteeIDs []int64) (GrantCounts, error) {
	// The first part groups the grantees' grants, noting whether one of them is on
	// grantedOnID; the second, marked by a NULL grantee, counts grantedOnID's holders.
	// Scanned by hand, like the customers (CustomersAndDepartmentalization).
	rows, err := tx.db.Raw(`SELECT grantee_id, COUNT(*) AS grants,
	SUM(CASE WHEN granted_on_id = ? THEN 1 ELSE 0 END) AS on_target
FROM customer_grants WHERE grantee_id IN ? GROUP BY grantee_id
UNION ALL
SELECT NULL, COUNT(*), 0 FROM customer_grants WHERE granted_on_id = ?`, grantedOnID, granteeIDs, grantedOnID).Rows()
	if err != nil {
		return GrantCounts{}, err
	}
	defer rows.Close()
	counts := GrantCounts{Held: make(map[int64]int64, len(granteeIDs))}
	for rows.Next() {
		var (
			granteeID        *int64
			grants, onTarget int64
		)
		if err := rows.Scan(&granteeID, &grants, &onTarget); err != nil {
			return GrantCounts{}, err
		}
		switch {
		case granteeID == nil:
			counts.Holders = grants
		default:
			counts.Held[*granteeID] = grants
			if onTarget > 0 {
				counts.Existing = append(counts.Existing, *granteeID)
			}
		}
	}
	return counts, rows.Err()
}

// InsertGrants gives every grantee a grant on grantedOnID, in one insert that carries the
// request's audit event on PostgreSQL (execCarryingAudit).
func (tx *Tx) InsertGrants(grantedOnID int64, granteeIDs []int64) error {
	if len(granteeIDs) == 0 {
		return nil
	}
	now := tx.db.NowFunc()
	rows := make([]string, len(granteeIDs))
	values := make([]any, 0, 3*len(granteeIDs))
	for i, id := range granteeIDs {
		rows[i] = "(?, ?, ?)"
		values = append(values, grantedOnID, id, now)
	}
	_, err := tx.execCarryingAudit("INSERT INTO customer_grants (granted_on_id, grantee_id, created_at) VALUES "+strings.Join(rows, ", "), values...)
	return sentinel(err)
}

// DeleteGrant removes the grant granteeID holds on grantedOnID; ErrNotFound when there is none.
func (tx *Tx) DeleteGrant(grantedOnID, granteeID int64) error {
	result := tx.db.Where("granted_on_id = ? AND grantee_id = ?", grantedOnID, granteeID).Delete(&CustomerGrant{})
	if result.Error != nil {
		return result.Error
	}
	if result.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// CustomerGrantsOf returns the grants of one customer in both directions, each ordered by id:
// heldOn are the customers it holds grants on, heldBy the customers holding grants on it.
func (tx *Tx) CustomerGrantsOf(customerID int64) (heldOn, heldBy []Customer, err error) {
	err = tx.db.Model(&Customer{}).
		Joins("JOIN customer_grants ON customer_grants.granted_on_id = customers.id").
		Where("customer_grants.grantee_id = ?", customerID).
		Order("customers.id").Find(&heldOn).Error
	if err != nil {
		return nil, nil, err
	}
	err = tx.db.Model(&Customer{}).
		Joins("JOIN customer_grants ON customer_grants.grantee_id = customers.id").
		Where("customer_grants.granted_on_id = ?", customerID).
		Order("customers.id").Find(&heldBy).Error
	if err != nil {
		return nil, nil, err
	}
	return heldOn, heldBy, nil
}
