package store

import (
	"fmt"
	"slices"
)

// ReltioCatalog is the part of the catalog a request refers to: for each known service, its
// resources and the privileges each allows, in catalog order.
type ReltioCatalog struct {
	services map[string]map[string][]string
}

// ReltioCatalogOf loads the catalog entries of the given services in one query.
func (tx *Tx) ReltioCatalogOf(serviceIDs []string) (*ReltioCatalog, error) {
	catalog := &ReltioCatalog{services: map[string]map[string][]string{}}
	if len(serviceIDs) == 0 {
		return catalog, nil
	}
	var rows []struct {
		ServiceID  string
		ResourceID *string
		Privilege  *string
	}
	err := tx.db.Table("reltio_services AS s").
		Select("s.id AS service_id, r.id AS resource_id, p.privilege").
		Joins("LEFT JOIN reltio_resources AS r ON r.service_id = s.id").
		Joins("LEFT JOIN reltio_resource_privileges AS p ON p.service_id = r.service_id AND p.resource_id = r.id").
		Where("s.id IN ?", serviceIDs).
		Order("s.id, r.id, p.privilege").
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		resources := catalog.services[row.ServiceID]
		if resources == nil {
			resources = map[string][]string{}
			catalog.services[row.ServiceID] = resources
		}
		if row.ResourceID == nil {
			continue
		}
		privileges := resources[*row.ResourceID]
		if row.Privilege != nil {
			privileges = append(privileges, *row.Privilege)
		}
		resources[*row.ResourceID] = privileges
	}
	return catalog, nil
}

// Catalog violations.
const (
	UnknownService = iota + 1
	UnknownResource
	PrivilegeNotAllowed
)

// CatalogViolation says how a permission breaks the catalog.
type CatalogViolation struct {
	Kind       int
	Permission ReltioPermission
	// Allowed lists the privileges the resource allows, for PrivilegeNotAllowed.
	Allowed []string
}

func (v *CatalogViolation) Error() string {
	p := v.Permission
	switch v.Kind {
	case UnknownService:
		return fmt.Sprintf("service %q is not in the catalog", p.Service)
	case UnknownResource:
		return fmt.Sprintf("service %q has no resource %q", p.Service, p.Resource)
	}
	return fmt.Sprintf("privilege %s is not allowed for resource %q of service %q (allowed: %v)", p.Privilege, p.Resource, p.Service, v.Allowed)
}

// Check finds how a permission breaks the catalog, or returns nil when it is allowed.
func (c *ReltioCatalog) Check(p ReltioPermission) *CatalogViolation {
	resources, ok := c.services[p.Service]
	if !ok {
		return &CatalogViolation{Kind: UnknownService, Permission: p}
	}
	allowed, ok := resources[p.Resource]
	if !ok {
		return &CatalogViolation{Kind: UnknownResource, Permission: p}
	}
	if !slices.Contains(allowed, p.Privilege) {
		return &CatalogViolation{Kind: PrivilegeNotAllowed, Permission: p, Allowed: allowed}
	}
	return nil
}
