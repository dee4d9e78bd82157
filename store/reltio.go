package store

import (
	"slices"

	"gorm.io/gorm/clause"
)

// ReltioPermission is one privilege on one resource of one service.
type ReltioPermission struct {
	Service, Resource, Privilege string
}

// ReltioRights are what a principal's Reltio identity says: the customer it belongs to and
// its Reltio roles.
type ReltioRights struct {
	Customer *string
	Roles    []string
}

// ReltioRightsOfUser reads a user's Reltio identity; ErrNotFound when the user does not exist.
func (tx *Tx) ReltioRightsOfUser(login string) (*ReltioRights, error) {
	var user User
	err := tx.db.Preload("ReltioRoles").Select("id", "reltio_customer").Where("login = ?", login).Take(&user).Error
	if err != nil {
		return nil, sentinel(err)
	}
	rights := &ReltioRights{Customer: user.ReltioCustomer}
	for _, r := range user.ReltioRoles {
		rights.Roles = append(rights.Roles, r.Role)
	}
	return rights, nil
}

// ReltioRightsOfClient reads a client application's Reltio identity.
func (tx *Tx) ReltioRightsOfClient(clientID string) (*ReltioRights, error) {
	var client Client
	err := tx.db.Preload("ReltioRoles").Select("id", "reltio_customer").Where("client_id = ?", clientID).Take(&client).Error
	if err != nil {
		return nil, sentinel(err)
	}
	rights := &ReltioRights{Customer: client.ReltioCustomer}
	for _, r := range client.ReltioRoles {
		rights.Roles = append(rights.Roles, r.Role)
	}
	return rights, nil
}

// FindReltioCustomer tells whether the customer exists. With lockRow (PostgreSQL) the
// customer's row stays locked until the transaction ends, which serializes the writes of
// one customer's roles and permissions; SQLite's immediate transactions already do.
func (tx *Tx) FindReltioCustomer(id string, lockRow bool) (bool, error) {
	query := tx.db.Model(&ReltioCustomer{}).Where("id = ?", id)
	if lockRow && tx.dialect == Postgres {
		query = query.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var found []string
	if err := query.Pluck("id", &found).Error; err != nil {
		return false, err
	}
	return len(found) > 0, nil
}

// ReltioCustomerRoles loads the customer's customer-specific roles with the given names,
// ordered by name.
func (tx *Tx) ReltioCustomerRoles(customerID string, names []string) ([]ReltioRole, error) {
	var roles []ReltioRole
	err := tx.db.Where("customer_id = ? AND name IN ?", customerID, names).Order(tx.byName()).Find(&roles).Error
	return roles, err
}

// AllReltioCustomerRoles loads every customer-specific role of the customer, ordered by name.
func (tx *Tx) AllReltioCustomerRoles(customerID string) ([]ReltioRole, error) {
	var roles []ReltioRole
	err := tx.db.Where("customer_id = ?", customerID).Order(tx.byName()).Find(&roles).Error
	return roles, err
}

// ReltioSystemRoles loads the system roles with the given names, ordered by name.
func (tx *Tx) ReltioSystemRoles(names []string) ([]ReltioRole, error) {
	var roles []ReltioRole
	err := tx.db.Where("customer_id IS NULL AND name IN ?", names).Order(tx.byName()).Find(&roles).Error
	return roles, err
}

// CustomerRolesNamed loads the customer-specific roles, of any customer, with the given names.
func (tx *Tx) CustomerRolesNamed(names []string) ([]ReltioRole, error) {
	var roles []ReltioRole
	err := tx.db.Where("customer_id IS NOT NULL AND name IN ?", names).Find(&roles).Error
	return roles, err
}

// byName orders by name; see collated.
func (tx *Tx) byName() string { return tx.collated("name") }

// collated orders a text column byte by byte on both databases: PostgreSQL would otherwise
// follow its locale's collation and list rows in another order than SQLite.
func (tx *Tx) collated(column string) string {
	if tx.dialect == Postgres {
		return column + ` COLLATE "C"`
	}
	return column
}

// ReltioRolesVisibleTo loads the customer-specific roles of the customers and every system
// role in one query: customer roles first (by customer, then name), then system roles by name.
func (tx *Tx) ReltioRolesVisibleTo(customerIDs []string) ([]ReltioRole, error) {
	var roles []ReltioRole
	err := tx.db.Where("customer_id IN ? OR customer_id IS NULL", customerIDs).
		Order("customer_id IS NULL, " + tx.collated("customer_id") + ", " + tx.byName()).Find(&roles).Error
	return roles, err
}

// AddReltioCustomerRoles creates the roles the customer does not have yet, in one insert.
func (tx *Tx) AddReltioCustomerRoles(customerID string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	rows := make([]ReltioRole, len(names))
	for i, name := range names {
		rows[i] = ReltioRole{CustomerID: &customerID, Name: name}
	}
	// Ids are not read back from this insert (go-gorm/gorm#7393).
	return insertIgnoringExisting(tx, rows)
}

// RemoveReltioCustomerRolesExcept removes the customer's roles not named in keep, with
// their permissions.
func (tx *Tx) RemoveReltioCustomerRolesExcept(customerID string, keep []string) error {
	query := tx.db.Where("customer_id = ?", customerID)
	if len(keep) > 0 {
		query = query.Where("name NOT IN ?", keep)
	}
	return query.Delete(&ReltioRole{}).Error
}

// ReltioRolePermissions loads the permissions of the roles, each role's in the order they
// were first assigned.
func (tx *Tx) ReltioRolePermissions(roleIDs []int64) (map[int64][]ReltioPermission, error) {
	var rows []ReltioRolePermission
	if len(roleIDs) > 0 {
		if err := tx.db.Where("role_id IN ?", roleIDs).Order("id").Find(&rows).Error; err != nil {
			return nil, err
		}
	}
	byRole := make(map[int64][]ReltioPermission, len(roleIDs))
	for _, row := range rows {
		byRole[row.RoleID] = append(byRole[row.RoleID], ReltioPermission{row.ServiceID, row.ResourceID, row.Privilege})
	}
	return byRole, nil
}

// AddReltioRolePermissions gives roles the permissions they do not hold yet, in one insert.
func (tx *Tx) AddReltioRolePermissions(permissions map[int64][]ReltioPermission) error {
	var rows []ReltioRolePermission
	roleIDs := make([]int64, 0, len(permissions))
	for id := range permissions {
		roleIDs = append(roleIDs, id)
	}
	slices.Sort(roleIDs) // a stable order keeps the first-assignment order of each role
	for _, id := range roleIDs {
		for _, p := range permissions[id] {
			rows = append(rows, ReltioRolePermission{RoleID: id, ServiceID: p.Service, ResourceID: p.Resource, Privilege: p.Privilege})
		}
	}
	return insertIgnoringExisting(tx, rows)
}

// ClearReltioRolePermissions removes every permission of the roles.
func (tx *Tx) ClearReltioRolePermissions(roleIDs []int64) error {
	if len(roleIDs) == 0 {
		return nil
	}
	return tx.db.Where("role_id IN ?", roleIDs).Delete(&ReltioRolePermission{}).Error
}
