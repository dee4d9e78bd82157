package store

import (
	"errors"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SettingCustomerDepartmentalization names the eGain application setting that confines
// grants to customers of one department.
const SettingCustomerDepartmentalization = "customerDepartmentalization"

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
	return strconv.ParseBool(setting.Value)
}

// CustomersByIDs loads the customers with the given ids in one query, ordered by id. With
// lockRows the rows are locked until the transaction ends (on PostgreSQL, FOR UPDATE in id
// order so concurrent requests cannot deadlock; SQLite's immediate transactions already
// hold the database's single write lock).
func (tx *Tx) CustomersByIDs(ids []int64, lockRows bool) ([]Customer, error) {
	var customers []Customer
	query := tx.db.Where("id IN ?", ids).Order("id")
	if lockRows && tx.dialect == Postgres {
		query = query.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	if err := query.Find(&customers).Error; err != nil {
		return nil, err
	}
	return customers, nil
}

// GranteesAmong returns which of granteeIDs already hold a grant on grantedOnID.
func (tx *Tx) GranteesAmong(grantedOnID int64, granteeIDs []int64) ([]int64, error) {
	var existing []int64
	err := tx.db.Model(&CustomerGrant{}).
		Where("granted_on_id = ? AND grantee_id IN ?", grantedOnID, granteeIDs).
		Pluck("grantee_id", &existing).Error
	return existing, err
}

// CountGrantsOn counts the customers holding grants on grantedOnID.
func (tx *Tx) CountGrantsOn(grantedOnID int64) (int64, error) {
	var count int64
	err := tx.db.Model(&CustomerGrant{}).Where("granted_on_id = ?", grantedOnID).Count(&count).Error
	return count, err
}

// CountGrantsHeld counts, for each of granteeIDs, the customers it holds grants on. Ids
// holding none are absent from the map.
func (tx *Tx) CountGrantsHeld(granteeIDs []int64) (map[int64]int64, error) {
	var rows []struct {
		GranteeID int64
		Held      int64
	}
	err := tx.db.Model(&CustomerGrant{}).
		Select("grantee_id, COUNT(*) AS held").
		Where("grantee_id IN ?", granteeIDs).
		Group("grantee_id").
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	held := make(map[int64]int64, len(rows))
	for _, row := range rows {
		held[row.GranteeID] = row.Held
	}
	return held, nil
}

// InsertGrants gives every grantee a grant on grantedOnID, in one insert.
func (tx *Tx) InsertGrants(grantedOnID int64, granteeIDs []int64) error {
	if len(granteeIDs) == 0 {
		return nil
	}
	now := tx.db.NowFunc()
	grants := make([]CustomerGrant, len(granteeIDs))
	for i, id := range granteeIDs {
		grants[i] = CustomerGrant{GrantedOnID: grantedOnID, GranteeID: id, CreatedAt: now}
	}
	return sentinel(tx.db.Create(&grants).Error)
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
