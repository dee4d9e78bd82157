package reltio

import (
	"context"
	"errors"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// The privileges on service Auth, resource customer.roles that the operations under
// /oauth/customers/{customerId}/roles… need, by HTTP method.
const (
	authService     = "Auth"
	rolesResource   = "customer.roles"
	privilegeRead   = "READ"
	privilegeCreate = "CREATE"
	privilegeUpdate = "UPDATE"
	privilegeDelete = "DELETE"
)

// heldBy reads, with the caller's Reltio identity and roles as stored now, what the caller
// may do within the customer: each request reads them afresh, so a change of a role's
// permissions takes effect at the caller's next request.
func heldBy(ctx context.Context, tx *store.Tx, customerID string) (*store.ReltioHeld, error) {
	return callerHeld(ctx,
		func(login string) (*store.ReltioHeld, error) { return tx.ReltioHeldByUser(login, customerID) },
		func(clientID string) (*store.ReltioHeld, error) { return tx.ReltioHeldByClient(clientID, customerID) })
}

// heldInOwnCustomer reads what the caller may do within the customer it belongs to.
func heldInOwnCustomer(ctx context.Context, tx *store.Tx) (*store.ReltioHeld, error) {
	return callerHeld(ctx, tx.ReltioHeldByUserInOwnCustomer, tx.ReltioHeldByClientInOwnCustomer)
}

// callerHeld reads the caller's held privileges through the reader of its kind of
// principal; a principal that no longer exists holds an invalid token.
func callerHeld(ctx context.Context, byUser, byClient func(subject string) (*store.ReltioHeld, error)) (*store.ReltioHeld, error) {
	claims := auth.PrincipalFrom(ctx)
	if claims == nil {
		return nil, newReltioError(reltioMissingToken)
	}
	read := byUser
	if claims.Kind == auth.PrincipalClient {
		read = byClient
	}
	held, err := read(claims.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newReltioError(reltioInvalidToken)
	}
	return held, err
}

// openReltioCustomer authorizes the caller for the customer — it must hold the privilege
// on Auth/customer.roles there — and checks the customer exists. Authorization comes
// before the customer's existence is told, so a caller learns nothing of customers it may
// not administer. With lockRow the customer's row is locked first, for the rest of the
// transaction: writes to one customer's roles are serialized, and the privileges that
// authorize a write are read after every earlier write to them has committed, so no write
// goes through on a privilege a committed transaction already removed.
func openReltioCustomer(ctx context.Context, tx *store.Tx, customerID, privilege string, lockRow bool) (*store.ReltioHeld, error) {
	var found bool
	if lockRow {
		var err error
		if found, err = tx.FindReltioCustomer(customerID, true); err != nil {
			return nil, err
		}
	}
	held, err := heldBy(ctx, tx, customerID)
	if err != nil {
		return nil, err
	}
	if !held.Holds(store.ReltioPermission{Service: authService, Resource: rolesResource, Privilege: privilege}) {
		return nil, newReltioError(reltioAccessDenied, "The caller holds no privilege "+privilege+" on "+authService+"/"+rolesResource+" within customer '"+customerID+"'.")
	}
	if !lockRow {
		if found, err = tx.FindReltioCustomer(customerID, false); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, newReltioError(reltioUnknownCustomer, customerID)
	}
	return held, nil
}

// refuseEscalation refuses to assign any privilege the caller does not hold itself within
// the customer (ROLE_ADMIN, which applies everywhere, is exempt): a caller cannot make a
// role, its own included, more powerful than itself.
func refuseEscalation(held *store.ReltioHeld, customerID string, roles []*rolePermissions) error {
	if held.Everywhere {
		return nil
	}
	for _, r := range roles {
		for _, p := range r.permissions {
			if !held.Holds(p) {
				return newReltioError(reltioPrivilegeNotHeld, p.Privilege, p.Resource, p.Service, customerID, r.role)
			}
		}
	}
	return nil
}
