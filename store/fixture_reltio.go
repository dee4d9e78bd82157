package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gorm.io/gorm/clause"
)

// FixtureReltio is the seed file's reltio: section: catalog entries to add, system roles,
// and customers with their customer-specific roles.
type FixtureReltio struct {
	Services    []FixtureReltioService  `yaml:"services"`
	SystemRoles []FixtureReltioRole     `yaml:"systemRoles"`
	Customers   []FixtureReltioCustomer `yaml:"customers"`
}

type FixtureReltioService struct {
	ID        string                  `yaml:"id"`
	Resources []FixtureReltioResource `yaml:"resources"`
}

type FixtureReltioResource struct {
	ID         string   `yaml:"id"`
	Privileges []string `yaml:"privileges"`
}

type FixtureReltioCustomer struct {
	ID    string              `yaml:"id"`
	Roles []FixtureReltioRole `yaml:"roles"`
}

// FixtureReltioRole is a role; its permissions, when given, replace the role's.
type FixtureReltioRole struct {
	Name        string                      `yaml:"name"`
	Permissions []FixtureReltioServiceGrant `yaml:"permissions"`
}

// FixtureReltioServiceGrant has the shape of the API's servicePermissions entries.
type FixtureReltioServiceGrant struct {
	ID                  string                       `yaml:"id"`
	ResourcePermissions []FixtureReltioResourceGrant `yaml:"resourcePermissions"`
}

type FixtureReltioResourceGrant struct {
	ID                string   `yaml:"id"`
	AllowedPrivileges []string `yaml:"allowedPrivileges"`
}

// ReltioPrivileges are the privileges Reltio knows.
var ReltioPrivileges = []string{"CREATE", "READ", "UPDATE", "DELETE", "EXECUTE"}

// ReservedReltioRoleName tells whether a customer-specific role may not take this name:
// ROLE_ADMIN… names are how principals are given administration (ROLE_ADMIN,
// ROLE_ADMIN_CUSTOMER, ROLE_ADMIN_CUSTOMER_<customerId>), so no customer role may look like
// one — in any case, since people and other systems read role names without regard to it.
func ReservedReltioRoleName(name string) bool {
	const reserved = "ROLE_ADMIN"
	return len(name) >= len(reserved) && strings.EqualFold(name[:len(reserved)], reserved)
}

// reltioNamePattern is the form of customer ids, services and resources.
var reltioNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,255}$`)

// reltioRoleNamePattern is the spec's RoleName: as reltioNamePattern, with a letter or a
// digit, so that names such as "." and ".." (path segments of their own) are not names.
var reltioRoleNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]*[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func validReltioRoleName(name string) bool {
	return len(name) <= 255 && reltioRoleNamePattern.MatchString(name)
}

// located is a permission with where the seed file states it.
type located struct {
	where      string
	permission ReltioPermission
}

func (r *FixtureReltio) check() error {
	seen := map[string]string{}
	unique := func(where, key string) error {
		if first, ok := seen[key]; ok {
			return fmt.Errorf("%s: duplicates %s", where, first)
		}
		seen[key] = where
		return nil
	}
	for i, s := range r.Services {
		where := fmt.Sprintf("reltio.services[%d]", i)
		if !reltioNamePattern.MatchString(s.ID) {
			return fmt.Errorf("%s.id: %q must be 1 to 255 letters, digits, '_', '-' or '.'", where, s.ID)
		}
		if err := unique(where, "service/"+s.ID); err != nil {
			return err
		}
		for j, res := range s.Resources {
			where := fmt.Sprintf("%s.resources[%d]", where, j)
			if !reltioNamePattern.MatchString(res.ID) {
				return fmt.Errorf("%s.id: %q must be 1 to 255 letters, digits, '_', '-' or '.'", where, res.ID)
			}
			if err := unique(where, "resource/"+s.ID+"/"+res.ID); err != nil {
				return err
			}
			for k, p := range res.Privileges {
				if !slices.Contains(ReltioPrivileges, p) {
					return fmt.Errorf("%s.privileges[%d]: %q is not one of %v", where, k, p, ReltioPrivileges)
				}
			}
		}
	}
	for i, role := range r.SystemRoles {
		if err := checkFixtureRole(fmt.Sprintf("reltio.systemRoles[%d]", i), role, "system/", unique); err != nil {
			return err
		}
	}
	for i, c := range r.Customers {
		where := fmt.Sprintf("reltio.customers[%d]", i)
		if !reltioNamePattern.MatchString(c.ID) {
			return fmt.Errorf("%s.id: %q must be 1 to 255 letters, digits, '_', '-' or '.'", where, c.ID)
		}
		if err := unique(where, "customer/"+c.ID); err != nil {
			return err
		}
		for j, role := range c.Roles {
			if err := checkFixtureRole(fmt.Sprintf("%s.roles[%d]", where, j), role, "role/"+c.ID+"/", unique); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkFixtureRole(where string, role FixtureReltioRole, keyPrefix string, unique func(string, string) error) error {
	if !validReltioRoleName(role.Name) {
		return fmt.Errorf("%s.name: %q must be 1 to 255 letters, digits, '_', '-' or '.', with a letter or digit", where, role.Name)
	}
	if err := unique(where, keyPrefix+role.Name); err != nil {
		return err
	}
	for _, p := range role.permissions(where) {
		if !slices.Contains(ReltioPrivileges, p.permission.Privilege) {
			return fmt.Errorf("%s: %q is not one of %v", p.where, p.permission.Privilege, ReltioPrivileges)
		}
	}
	return nil
}

// permissions flattens the role's permissions, each with where the file states it.
func (role FixtureReltioRole) permissions(where string) []located {
	var list []located
	for i, s := range role.Permissions {
		for j, r := range s.ResourcePermissions {
			for k, p := range r.AllowedPrivileges {
				list = append(list, located{
					where:      fmt.Sprintf("%s.permissions[%d].resourcePermissions[%d].allowedPrivileges[%d]", where, i, j, k),
					permission: ReltioPermission{Service: s.ID, Resource: r.ID, Privilege: p},
				})
			}
		}
	}
	return list
}

// loadReltio writes the section: catalog first, then system roles and customers with their
// roles, whose permissions are checked against the catalog as it then stands.
func (tx *Tx) loadReltio(r *FixtureReltio) error {
	if r == nil {
		return nil
	}
	var services []ReltioService
	var resources []ReltioResource
	var privileges []ReltioResourcePrivilege
	for _, s := range r.Services {
		services = append(services, ReltioService{ID: s.ID})
		for _, res := range s.Resources {
			resources = append(resources, ReltioResource{ServiceID: s.ID, ID: res.ID})
			for _, p := range res.Privileges {
				privileges = append(privileges, ReltioResourcePrivilege{ServiceID: s.ID, ResourceID: res.ID, Privilege: p})
			}
		}
	}
	if err := insertIgnoringExisting(tx, services); err != nil {
		return err
	}
	if err := insertIgnoringExisting(tx, resources); err != nil {
		return err
	}
	if err := insertIgnoringExisting(tx, privileges); err != nil {
		return err
	}

	// Every role of the section, with where it is stated and the customer it belongs to.
	type fileRole struct {
		where    string
		customer *string
		role     FixtureReltioRole
	}
	var roles []fileRole
	for i, role := range r.SystemRoles {
		roles = append(roles, fileRole{fmt.Sprintf("reltio.systemRoles[%d]", i), nil, role})
	}
	var customers []ReltioCustomer
	for i, c := range r.Customers {
		customers = append(customers, ReltioCustomer{ID: c.ID})
		for j, role := range c.Roles {
			roles = append(roles, fileRole{fmt.Sprintf("reltio.customers[%d].roles[%d]", i, j), &r.Customers[i].ID, role})
		}
	}
	if err := insertIgnoringExisting(tx, customers); err != nil {
		return err
	}

	var customerRoleNames, systemRoleNames, serviceIDs []string
	for _, fr := range roles {
		if fr.customer != nil {
			customerRoleNames = append(customerRoleNames, fr.role.Name)
		} else {
			systemRoleNames = append(systemRoleNames, fr.role.Name)
		}
		for _, p := range fr.role.permissions(fr.where) {
			if !slices.Contains(serviceIDs, p.permission.Service) {
				serviceIDs = append(serviceIDs, p.permission.Service)
			}
		}
	}
	// A name is a system role's or customer-specific roles', never both: check the file's
	// roles against each other and against those already stored.
	systemNamed, err := tx.ReltioSystemRoles(customerRoleNames)
	if err != nil {
		return err
	}
	customerNamed, err := tx.CustomerRolesNamed(systemRoleNames)
	if err != nil {
		return err
	}
	catalog, err := tx.ReltioCatalogOf(serviceIDs)
	if err != nil {
		return err
	}
	for _, fr := range roles {
		named := func(r ReltioRole) bool { return r.Name == fr.role.Name }
		if fr.customer != nil && (slices.ContainsFunc(systemNamed, named) || slices.Contains(systemRoleNames, fr.role.Name)) {
			return fmt.Errorf("%s.name: %q is the name of a system role", fr.where, fr.role.Name)
		}
		if fr.customer != nil && ReservedReltioRoleName(fr.role.Name) {
			return fmt.Errorf("%s.name: %q is reserved: ROLE_ADMIN… names give administration", fr.where, fr.role.Name)
		}
		if fr.customer == nil && (slices.ContainsFunc(customerNamed, named) || slices.Contains(customerRoleNames, fr.role.Name)) {
			return fmt.Errorf("%s.name: %q is the name of a customer-specific role", fr.where, fr.role.Name)
		}
		for _, p := range fr.role.permissions(fr.where) {
			if v := catalog.Check(p.permission); v != nil {
				return fmt.Errorf("%s: %v", p.where, v)
			}
		}
	}

	rows := make([]ReltioRole, len(roles))
	ownCustomer := ReachOwnCustomer
	for i, fr := range roles {
		rows[i] = ReltioRole{CustomerID: fr.customer, Name: fr.role.Name}
		if fr.customer == nil {
			rows[i].Reach = &ownCustomer // a seed's system roles apply within their holder's customer
		}
	}
	if err := insertIgnoringExisting(tx, rows); err != nil {
		return err
	}
	// Roles are read back by name: ids from an insert that skips existing rows are not
	// reliable (go-gorm/gorm#7393).
	customerIDs := make([]string, len(r.Customers))
	for i, c := range r.Customers {
		customerIDs[i] = c.ID
	}
	visible, err := tx.ReltioRolesVisibleTo(customerIDs)
	if err != nil {
		return err
	}
	stored := map[string]int64{}
	for _, role := range visible {
		key := role.Name
		if role.CustomerID != nil {
			key = *role.CustomerID + "/" + role.Name
		}
		stored[key] = role.ID
	}
	replaced := map[int64][]ReltioPermission{}
	for _, fr := range roles {
		if fr.role.Permissions == nil {
			continue // permissions not stated: the role keeps its own
		}
		key := fr.role.Name
		if fr.customer != nil {
			key = *fr.customer + "/" + fr.role.Name
		}
		id := stored[key]
		replaced[id] = []ReltioPermission{}
		for _, p := range fr.role.permissions(fr.where) {
			replaced[id] = append(replaced[id], p.permission)
		}
	}
	ids := make([]int64, 0, len(replaced))
	for id := range replaced {
		ids = append(ids, id)
	}
	if err := tx.ClearReltioRolePermissions(ids); err != nil {
		return err
	}
	return tx.AddReltioRolePermissions(replaced)
}

// insertIgnoringExisting inserts records in one statement, keeping rows that already exist
// as they are.
func insertIgnoringExisting[T any](tx *Tx, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}
