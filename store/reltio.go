package store

import (
	"database/sql"
	"fmt"
	"slices"

	"gorm.io/gorm/clause"
)

// ReltioPermission is one privilege on one resource of one service.
type ReltioPermission struct {
	Service, Resource, Privilege string
}

// ReltioHeld is what a principal may do within one customer: the privileges held there
// through its roles, and whether one of them is a role that applies everywhere (ROLE_ADMIN).
type ReltioHeld struct {
	Everywhere  bool
	Permissions []ReltioPermission
}

// Holds tells whether the privilege is among those held.
func (h *ReltioHeld) Holds(p ReltioPermission) bool { return slices.Contains(h.Permissions, p) }

// reltioHeldQuery reads, in one statement, the privileges a principal holds within a
// customer through each role that applies there: a system role of reach 'everywhere'; one
// of reach 'own customer' when the principal belongs to the customer; a scopable system
// role held as <name>_<customer>; a customer-specific role of the customer when the
// principal belongs to it. The principal's row comes back even without roles, so that a
// principal that no longer exists is told apart. %[1]s..%[4]s are fixed table and column
// names, never caller text.
// %[5]s is the customer: the bound @customer, or the principal's own (u.reltio_customer).
const reltioHeldQuery = `SELECT r.reach, p.service_id, p.resource_id, p.privilege
FROM %[1]s AS u
LEFT JOIN %[2]s AS h ON h.%[3]s = u.id
LEFT JOIN reltio_roles AS r ON
     (r.customer_id IS NULL AND r.name = h.role AND (r.reach = 'everywhere' OR u.reltio_customer = %[5]s))
  OR (r.customer_id IS NULL AND r.scopable AND h.role = r.name || '_' || %[5]s)
  OR (r.customer_id = %[5]s AND u.reltio_customer = %[5]s AND r.name = h.role)
LEFT JOIN reltio_role_permissions AS p ON p.role_id = r.id
WHERE u.%[4]s = @subject`

var (
	reltioHeldByUser      = fmt.Sprintf(reltioHeldQuery, "users", "user_reltio_roles", "user_id", "login", "@customer")
	reltioHeldByClient    = fmt.Sprintf(reltioHeldQuery, "clients", "client_reltio_roles", "client_id", "client_id", "@customer")
	reltioHeldByUserOwn   = fmt.Sprintf(reltioHeldQuery, "users", "user_reltio_roles", "user_id", "login", "u.reltio_customer")
	reltioHeldByClientOwn = fmt.Sprintf(reltioHeldQuery, "clients", "client_reltio_roles", "client_id", "client_id", "u.reltio_customer")
)

// ReltioHeldByUserInOwnCustomer reads what a user may do within the customer it belongs to
// (only roles that apply everywhere when it belongs to none); ErrNotFound when the user
// does not exist.
func (tx *Tx) ReltioHeldByUserInOwnCustomer(login string) (*ReltioHeld, error) {
	return tx.reltioHeld(reltioHeldByUserOwn, login, "")
}

// ReltioHeldByClientInOwnCustomer reads what a client may do within the customer it belongs to.
func (tx *Tx) ReltioHeldByClientInOwnCustomer(clientID string) (*ReltioHeld, error) {
	return tx.reltioHeld(reltioHeldByClientOwn, clientID, "")
}

// ReltioHeldByUser reads what a user may do within the customer; ErrNotFound when the
// user does not exist.
func (tx *Tx) ReltioHeldByUser(login, customerID string) (*ReltioHeld, error) {
	return tx.reltioHeld(reltioHeldByUser, login, customerID)
}

// ReltioHeldByClient reads what a client application may do within the customer.
func (tx *Tx) ReltioHeldByClient(clientID, customerID string) (*ReltioHeld, error) {
	return tx.reltioHeld(reltioHeldByClient, clientID, customerID)
}

func (tx *Tx) reltioHeld(query, subject, customerID string) (*ReltioHeld, error) {
	var rows []struct {
		Reach                            *string
		ServiceID, ResourceID, Privilege *string
	}
	err := tx.db.Raw(query, sql.Named("customer", customerID), sql.Named("subject", subject)).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	held := &ReltioHeld{}
	for _, row := range rows {
		if row.Reach != nil && *row.Reach == ReachEverywhere {
			held.Everywhere = true
		}
		if row.Privilege == nil {
			continue
		}
		p := ReltioPermission{Service: *row.ServiceID, Resource: *row.ResourceID, Privilege: *row.Privilege}
		if !slices.Contains(held.Permissions, p) {
			held.Permissions = append(held.Permissions, p)
		}
	}
	return held, nil
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
// their permissions and their holdings, as RemoveReltioCustomerRole does for one role.
func (tx *Tx) RemoveReltioCustomerRolesExcept(customerID string, keep []string) error {
	dropped := tx.db.Model(&ReltioRole{}).Select("name").Where("customer_id = ?", customerID)
	if len(keep) > 0 {
		dropped = dropped.Where("name NOT IN ?", keep)
	}
	if err := tx.removeHoldings(customerID, dropped); err != nil {
		return err
	}
	query := tx.db.Where("customer_id = ?", customerID)
	if len(keep) > 0 {
		query = query.Where("name NOT IN ?", keep)
	}
	return query.Delete(&ReltioRole{}).Error
}

// removeHoldings takes the roles named (a list or a subquery) from the customer's users and
// clients, whose held role names would otherwise give them a role later created with the
// same name.
func (tx *Tx) removeHoldings(customerID string, names any) error {
	users := tx.db.Model(&User{}).Select("id").Where("reltio_customer = ?", customerID)
	if err := tx.db.Where("role IN (?) AND user_id IN (?)", names, users).Delete(&UserReltioRole{}).Error; err != nil {
		return err
	}
	clients := tx.db.Model(&Client{}).Select("id").Where("reltio_customer = ?", customerID)
	return tx.db.Where("role IN (?) AND client_id IN (?)", names, clients).Delete(&ClientReltioRole{}).Error
}

// ReltioRolePermissions loads the permissions of the roles, each role's in the order they
// were first assigned.
func (tx *Tx) ReltioRolePermissions(roleIDs []int64) (map[int64][]ReltioPermission, error) {
	byRole := make(map[int64][]ReltioPermission, len(roleIDs))
	if len(roleIDs) == 0 {
		return byRole, nil
	}
	// Scanned by hand: a role can hold hundreds of permissions, and GORM's reflective
	// scan into records was a quarter of the allocations of assigning them (issue 12).
	rows, err := tx.db.Model(&ReltioRolePermission{}).Select("role_id, service_id, resource_id, privilege").
		Where("role_id IN ?", roleIDs).Order("id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var roleID int64
		var p ReltioPermission
		if err := rows.Scan(&roleID, &p.Service, &p.Resource, &p.Privilege); err != nil {
			return nil, err
		}
		byRole[roleID] = append(byRole[roleID], p)
	}
	return byRole, rows.Err()
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

// ReltioRoleOf loads the customer's role of that name, or else the system role of that
// name, in one query; ErrNotFound when neither exists.
func (tx *Tx) ReltioRoleOf(customerID, name string) (ReltioRole, error) {
	var roles []ReltioRole
	err := tx.db.Where("name = ? AND (customer_id = ? OR customer_id IS NULL)", name, customerID).
		Order("customer_id IS NULL").Limit(1).Find(&roles).Error
	if err != nil {
		return ReltioRole{}, err
	}
	if len(roles) == 0 {
		return ReltioRole{}, ErrNotFound
	}
	return roles[0], nil
}

// RemoveReltioCustomerRole removes the customer's role: its permissions (by cascade) and
// its holdings by the customer's users and clients. Callers run it in one transaction.
func (tx *Tx) RemoveReltioCustomerRole(customerID string, role ReltioRole) error {
	if err := tx.removeHoldings(customerID, []string{role.Name}); err != nil {
		return err
	}
	return tx.db.Where("id = ? AND customer_id = ?", role.ID, customerID).Delete(&ReltioRole{}).Error
}
