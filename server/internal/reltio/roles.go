package reltio

import (
	"context"
	"slices"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// AddCustomerRoles adds customer-specific roles; names already there are kept.
func (s *CustomerRoles) AddCustomerRoles(ctx context.Context, request gen.AddCustomerRolesRequestObject) (gen.AddCustomerRolesResponseObject, error) {
	names, err := s.writeCustomerRoles(ctx, request.CustomerId, *request.Body, privilegeCreate, false)
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.AddCustomerRoles200JSONResponse(names), nil
}

// ReplaceCustomerRoles makes the body the customer's list of roles; dropped roles lose
// their permissions, kept ones keep them.
func (s *CustomerRoles) ReplaceCustomerRoles(ctx context.Context, request gen.ReplaceCustomerRolesRequestObject) (gen.ReplaceCustomerRolesResponseObject, error) {
	names, err := s.writeCustomerRoles(ctx, request.CustomerId, *request.Body, privilegeUpdate, true)
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.ReplaceCustomerRoles200JSONResponse(names), nil
}

// writeCustomerRoles adds the named roles to the customer's, first removing the others when
// replacing, and returns the names each once, in request order.
func (s *CustomerRoles) writeCustomerRoles(ctx context.Context, customerID string, requested []string, privilege string, replace bool) ([]string, error) {
	names := distinct(requested)
	err := s.store.Transaction(ctx, func(tx *store.Tx) error {
		if _, err := openReltioCustomer(ctx, tx, customerID, privilege, true); err != nil {
			return err
		}
		if err := refuseSystemRoleNames(tx, names); err != nil {
			return err
		}
		if err := tx.AuditReltioCustomerRoles(customerID, names, replace); err != nil {
			return err
		}
		if replace {
			if err := tx.RemoveReltioCustomerRolesExcept(customerID, names); err != nil {
				return err
			}
		}
		return tx.AddReltioCustomerRoles(customerID, names)
	})
	return names, err
}

// ListCustomerRoles lists the names of the customer's roles.
func (s *CustomerRoles) ListCustomerRoles(ctx context.Context, request gen.ListCustomerRolesRequestObject) (gen.ListCustomerRolesResponseObject, error) {
	var roles []store.ReltioRole
	err := s.store.View(ctx, func(tx *store.Tx) error {
		if _, err := openReltioCustomer(ctx, tx, request.CustomerId, privilegeRead, false); err != nil {
			return err
		}
		var err error
		roles, err = tx.AllReltioCustomerRoles(request.CustomerId)
		return err
	})
	if failure, ok := asReltioFailure(err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	names := make(gen.ListCustomerRoles200JSONResponse, len(roles))
	for i, r := range roles {
		names[i] = r.Name
	}
	return names, nil
}

// refuseSystemRoleNames: a customer-specific role may not reuse a system role's name, nor
// take a reserved ROLE_ADMIN… name.
func refuseSystemRoleNames(tx *store.Tx, names []string) error {
	if len(names) == 0 {
		return nil
	}
	system, err := tx.ReltioSystemRoles(names)
	if err != nil {
		return err
	}
	var taken []string
	for _, name := range names {
		if store.ReservedReltioRoleName(name) || slices.ContainsFunc(system, func(r store.ReltioRole) bool { return r.Name == name }) {
			taken = append(taken, name)
		}
	}
	if len(taken) > 0 {
		return newReltioError(reltioSystemRoleName, quoteNames(taken))
	}
	return nil
}

// distinct keeps the first occurrence of each name, in order; never nil.
func distinct(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
