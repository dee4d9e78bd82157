package reltio

import (
	"context"
	"errors"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// Reading system roles needs READ on Auth/globalRoles: Reltio's privilege for "Managing
// system roles".
const systemRolesResource = "globalRoles"

// GetRolePermissions returns one role visible to the customer — its own role of that name,
// or else the system role — with its permissions.
func (s *CustomerRoles) GetRolePermissions(ctx context.Context, request gen.GetRolePermissionsRequestObject) (gen.GetRolePermissionsResponseObject, error) {
	var role *rolePermissions
	err := s.store.View(ctx, func(tx *store.Tx) error {
		if _, err := openReltioCustomer(ctx, tx, request.CustomerId, privilegeRead, false); err != nil {
			return err
		}
		var err error
		role, err = roleWithPermissions(tx, request.CustomerId, request.RoleName)
		return err
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.GetRolePermissions200JSONResponse(role.toAPI()), nil
}

// GetSystemRolePermissions returns one system role with its permissions, to a caller
// holding READ on Auth/globalRoles within its own customer (or ROLE_ADMIN).
func (s *CustomerRoles) GetSystemRolePermissions(ctx context.Context, request gen.GetSystemRolePermissionsRequestObject) (gen.GetSystemRolePermissionsResponseObject, error) {
	var role *rolePermissions
	err := s.store.View(ctx, func(tx *store.Tx) error {
		held, err := heldInOwnCustomer(ctx, tx)
		if err != nil {
			return err
		}
		if !held.Everywhere && !held.Holds(store.ReltioPermission{Service: authService, Resource: systemRolesResource, Privilege: privilegeRead}) {
			return newReltioError(reltioAccessDenied, "The caller holds no privilege "+privilegeRead+" on "+authService+"/"+systemRolesResource+" within its own customer.")
		}
		// No customer's id is '': only the system role of that name is found.
		role, err = roleWithPermissions(tx, "", request.RoleName)
		return err
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.GetSystemRolePermissions200JSONResponse(role.toAPI()), nil
}

// ClearRolePermissions removes every permission of a customer-specific role; the role stays.
func (s *CustomerRoles) ClearRolePermissions(ctx context.Context, request gen.ClearRolePermissionsRequestObject) (gen.ClearRolePermissionsResponseObject, error) {
	err := s.store.Transaction(ctx, func(tx *store.Tx) error {
		role, err := openCustomerRoleForDelete(ctx, tx, request.CustomerId, request.RoleName)
		if err != nil {
			return err
		}
		if err := tx.AuditReltioPermissions(request.CustomerId, []store.ReltioRole{role}, nil, true); err != nil {
			return err
		}
		return tx.ClearReltioRolePermissions([]int64{role.ID})
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.ClearRolePermissions200JSONResponse{Status: gen.Success}, nil
}

// DeleteCustomerRole removes a customer-specific role, its permissions and its holdings.
func (s *CustomerRoles) DeleteCustomerRole(ctx context.Context, request gen.DeleteCustomerRoleRequestObject) (gen.DeleteCustomerRoleResponseObject, error) {
	err := s.store.Transaction(ctx, func(tx *store.Tx) error {
		role, err := openCustomerRoleForDelete(ctx, tx, request.CustomerId, request.RoleName)
		if err != nil {
			return err
		}
		if err := tx.AuditReltioRoleRemoved(request.CustomerId, role); err != nil {
			return err
		}
		return tx.RemoveReltioCustomerRole(request.CustomerId, role)
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.DeleteCustomerRole200JSONResponse{Status: gen.Success}, nil
}

// openCustomerRoleForDelete authorizes a DELETE within the customer, locking it, and loads
// the customer's role of that name: a system role's name is refused (its permissions are
// catalogue data), an unknown name is 404.
func openCustomerRoleForDelete(ctx context.Context, tx *store.Tx, customerID, name string) (store.ReltioRole, error) {
	if _, err := openReltioCustomer(ctx, tx, customerID, privilegeDelete, true); err != nil {
		return store.ReltioRole{}, err
	}
	role, err := tx.ReltioRoleOf(customerID, name)
	if errors.Is(err, store.ErrNotFound) {
		return role, newReltioError(reltioUnknownRole, quoteNames([]string{name}), customerID)
	}
	if err != nil {
		return role, err
	}
	if role.CustomerID == nil {
		return role, newReltioError(reltioSystemRoleReadOnly, name)
	}
	return role, nil
}

// roleWithPermissions loads the customer's role of that name, or else the system role,
// with its permissions; 404 when neither exists.
func roleWithPermissions(tx *store.Tx, customerID, name string) (*rolePermissions, error) {
	role, err := tx.ReltioRoleOf(customerID, name)
	if errors.Is(err, store.ErrNotFound) {
		if customerID == "" {
			return nil, newReltioError(reltioUnknownSystemRole, name)
		}
		return nil, newReltioError(reltioUnknownRole, quoteNames([]string{name}), customerID)
	}
	if err != nil {
		return nil, err
	}
	permissions, err := tx.ReltioRolePermissions([]int64{role.ID})
	if err != nil {
		return nil, err
	}
	return &rolePermissions{role: role.Name, permissions: permissions[role.ID], customerSpecific: role.CustomerID != nil}, nil
}
