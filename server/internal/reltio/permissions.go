package reltio

import (
	"context"
	"slices"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// CustomerRoles serves Reltio's customer-specific roles and their permissions.
type CustomerRoles struct {
	store *store.Store
}

// rolePermissions is one role's permissions as a flat list in first-occurrence order,
// without duplicates: merging entries is appending, and normalizing is grouping.
type rolePermissions struct {
	role        string
	permissions []store.ReltioPermission
	// customerSpecific roles answer roleScope "customer", the only scope Reltio documents,
	// held implicitly; system roles answer none.
	customerSpecific bool
}

func (r *rolePermissions) add(services []gen.ServicePermission) {
	for _, s := range services {
		for _, res := range s.ResourcePermissions {
			for _, p := range res.AllowedPrivileges {
				permission := store.ReltioPermission{Service: s.Id, Resource: res.Id, Privilege: string(p)}
				if !slices.Contains(r.permissions, permission) {
					r.permissions = append(r.permissions, permission)
				}
			}
		}
	}
}

// mergeRoles merges a request's entries by role, keeping the order roles first appear in.
func mergeRoles(entries []gen.RolePermissions) []*rolePermissions {
	var roles []*rolePermissions
	for _, entry := range entries {
		i := slices.IndexFunc(roles, func(r *rolePermissions) bool { return r.role == entry.RoleName })
		if i < 0 {
			roles = append(roles, &rolePermissions{role: entry.RoleName, customerSpecific: true})
			i = len(roles) - 1
		}
		roles[i].add(entry.ServicePermissions)
	}
	return roles
}

// toAPI groups the permissions by service and resource in first-occurrence order.
func (r *rolePermissions) toAPI() gen.RolePermissions {
	out := gen.RolePermissions{RoleName: r.role, ServicePermissions: []gen.ServicePermission{}}
	if r.customerSpecific {
		scope := gen.RoleScopeCustomer
		out.RoleScope = &scope
	}
	for _, p := range r.permissions {
		si := slices.IndexFunc(out.ServicePermissions, func(s gen.ServicePermission) bool { return s.Id == p.Service })
		if si < 0 {
			out.ServicePermissions = append(out.ServicePermissions, gen.ServicePermission{Id: p.Service})
			si = len(out.ServicePermissions) - 1
		}
		service := &out.ServicePermissions[si]
		ri := slices.IndexFunc(service.ResourcePermissions, func(r gen.ResourcePermission) bool { return r.Id == p.Resource })
		if ri < 0 {
			service.ResourcePermissions = append(service.ResourcePermissions, gen.ResourcePermission{Id: p.Resource})
			ri = len(service.ResourcePermissions) - 1
		}
		resource := &service.ResourcePermissions[ri]
		resource.AllowedPrivileges = append(resource.AllowedPrivileges, gen.Privilege(p.Privilege))
	}
	return out
}

// checkCatalog refuses the first permission of any role that the catalog does not allow,
// naming the role, service, resource and privilege; one query for all services.
func checkCatalog(tx *store.Tx, roles []*rolePermissions) error {
	var services []string
	for _, r := range roles {
		for _, p := range r.permissions {
			if !slices.Contains(services, p.Service) {
				services = append(services, p.Service)
			}
		}
	}
	catalog, err := tx.ReltioCatalogOf(services)
	if err != nil {
		return err
	}
	for _, r := range roles {
		for _, p := range r.permissions {
			switch v := catalog.Check(p); {
			case v == nil:
			case v.Kind == store.UnknownService:
				return newReltioError(reltioUnknownService, p.Service, r.role)
			case v.Kind == store.UnknownResource:
				return newReltioError(reltioUnknownResource, p.Service, p.Resource, r.role)
			default:
				return newReltioError(reltioPrivilegeNotAllowed, p.Privilege, p.Resource, p.Service, r.role, strings.Join(v.Allowed, ", "))
			}
		}
	}
	return nil
}

// customerRolesNamed loads the customer's roles named in roles, failing with 404 when any is
// missing; the result follows the order of roles.
func customerRolesNamed(tx *store.Tx, customerID string, names []string) ([]store.ReltioRole, error) {
	found, err := tx.ReltioCustomerRoles(customerID, names)
	if err != nil {
		return nil, err
	}
	ordered := make([]store.ReltioRole, 0, len(names))
	var missing []string
	for _, name := range names {
		i := slices.IndexFunc(found, func(r store.ReltioRole) bool { return r.Name == name })
		if i < 0 {
			missing = append(missing, name)
			continue
		}
		ordered = append(ordered, found[i])
	}
	if len(missing) > 0 {
		return nil, newReltioError(reltioUnknownRole, quoteNames(missing), customerID)
	}
	return ordered, nil
}

// AssignRolePermissions adds permissions to existing customer-specific roles, all or nothing.
func (s *CustomerRoles) AssignRolePermissions(ctx context.Context, request gen.AssignRolePermissionsRequestObject) (gen.AssignRolePermissionsResponseObject, error) {
	roles := mergeRoles(*request.Body)
	err := s.store.Transaction(ctx, func(tx *store.Tx) error {
		held, err := openReltioCustomer(ctx, tx, request.CustomerId, privilegeCreate, true)
		if err != nil {
			return err
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = r.role
		}
		stored, err := customerRolesNamed(tx, request.CustomerId, names)
		if err != nil {
			return err
		}
		if err := checkCatalog(tx, roles); err != nil {
			return err
		}
		if err := refuseEscalation(held, request.CustomerId, roles); err != nil {
			return err
		}
		added := make(map[int64][]store.ReltioPermission, len(roles))
		for i, r := range roles {
			added[stored[i].ID] = r.permissions
		}
		if err := tx.AuditReltioPermissions(request.CustomerId, stored, added, false); err != nil {
			return err
		}
		return tx.AddReltioRolePermissions(added)
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	response := make(gen.AssignRolePermissions200JSONResponse, len(roles))
	for i, r := range roles {
		response[i] = r.toAPI()
	}
	return response, nil
}

// ReplaceRolePermissions overrides one role's permissions and returns them as stored.
func (s *CustomerRoles) ReplaceRolePermissions(ctx context.Context, request gen.ReplaceRolePermissionsRequestObject) (gen.ReplaceRolePermissionsResponseObject, error) {
	role := &rolePermissions{role: request.RoleName, customerSpecific: true}
	role.add(request.Body.ServicePermissions)
	var stored []store.ReltioPermission
	err := s.store.Transaction(ctx, func(tx *store.Tx) error {
		held, err := openReltioCustomer(ctx, tx, request.CustomerId, privilegeUpdate, true)
		if err != nil {
			return err
		}
		if name := request.Body.RoleName; name != nil && *name != request.RoleName {
			return newReltioError(reltioRoleNameMismatch, *name, request.RoleName)
		}
		roles, err := customerRolesNamed(tx, request.CustomerId, []string{request.RoleName})
		if err != nil {
			return err
		}
		if err := checkCatalog(tx, []*rolePermissions{role}); err != nil {
			return err
		}
		if err := refuseEscalation(held, request.CustomerId, []*rolePermissions{role}); err != nil {
			return err
		}
		id := roles[0].ID
		if err := tx.AuditReltioPermissions(request.CustomerId, roles, map[int64][]store.ReltioPermission{id: role.permissions}, true); err != nil {
			return err
		}
		if err := tx.ClearReltioRolePermissions([]int64{id}); err != nil {
			return err
		}
		if err := tx.AddReltioRolePermissions(map[int64][]store.ReltioPermission{id: role.permissions}); err != nil {
			return err
		}
		byRole, err := tx.ReltioRolePermissions([]int64{id})
		stored = byRole[id]
		return err
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.ReplaceRolePermissions200JSONResponse((&rolePermissions{role: request.RoleName, permissions: stored, customerSpecific: true}).toAPI()), nil
}

// ListRolePermissions lists the customer's roles, then the system roles, with their permissions.
func (s *CustomerRoles) ListRolePermissions(ctx context.Context, request gen.ListRolePermissionsRequestObject) (gen.ListRolePermissionsResponseObject, error) {
	var (
		roles       []store.ReltioRole
		permissions map[int64][]store.ReltioPermission
	)
	err := s.store.View(ctx, func(tx *store.Tx) error {
		if _, err := openReltioCustomer(ctx, tx, request.CustomerId, privilegeRead, false); err != nil {
			return err
		}
		var err error
		if roles, err = tx.ReltioRolesVisibleTo([]string{request.CustomerId}); err != nil {
			return err
		}
		ids := make([]int64, len(roles))
		for i, r := range roles {
			ids[i] = r.ID
		}
		permissions, err = tx.ReltioRolePermissions(ids)
		return err
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	response := make(gen.ListRolePermissions200JSONResponse, len(roles))
	for i, r := range roles {
		response[i] = (&rolePermissions{role: r.Name, permissions: permissions[r.ID], customerSpecific: r.CustomerID != nil}).toAPI()
	}
	return response, nil
}

// New serves the API over s.
func New(s *store.Store) *CustomerRoles { return &CustomerRoles{store: s} }
