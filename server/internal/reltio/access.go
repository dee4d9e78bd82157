package reltio

import (
	"context"
	"errors"
	"slices"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// Reltio roles that administer customers.
const (
	reltioPlatformAdmin = "ROLE_ADMIN"
	reltioCustomerAdmin = "ROLE_ADMIN_CUSTOMER"
)

// authorizeReltio checks, with the caller's Reltio identity as stored now, that the caller
// administers the customer: ROLE_ADMIN, ROLE_ADMIN_CUSTOMER of its own customer, or
// ROLE_ADMIN_CUSTOMER_<customerId>. It runs before anything about the customer is read, so
// a caller learns nothing of customers it does not administer.
func authorizeReltio(ctx context.Context, tx *store.Tx, customerID string) error {
	claims := auth.PrincipalFrom(ctx)
	if claims == nil {
		return newReltioError(reltioMissingToken)
	}
	var (
		rights *store.ReltioRights
		err    error
	)
	if claims.Kind == auth.PrincipalClient {
		rights, err = tx.ReltioRightsOfClient(claims.Subject)
	} else {
		rights, err = tx.ReltioRightsOfUser(claims.Subject)
	}
	if errors.Is(err, store.ErrNotFound) {
		return newReltioError(reltioInvalidToken)
	}
	if err != nil {
		return err
	}
	if !administers(rights, customerID) {
		return newReltioError(reltioAccessDenied, "The caller does not administer customer '"+customerID+"'.")
	}
	return nil
}

func administers(rights *store.ReltioRights, customerID string) bool {
	return slices.Contains(rights.Roles, reltioPlatformAdmin) ||
		slices.Contains(rights.Roles, reltioCustomerAdmin+"_"+customerID) ||
		(slices.Contains(rights.Roles, reltioCustomerAdmin) && rights.Customer != nil && *rights.Customer == customerID)
}

// openReltioCustomer authorizes the caller for the customer and checks the customer exists;
// with lockRow the customer's row is locked for the rest of the transaction, serializing
// writes to its roles.
func openReltioCustomer(ctx context.Context, tx *store.Tx, customerID string, lockRow bool) error {
	if err := authorizeReltio(ctx, tx, customerID); err != nil {
		return err
	}
	found, err := tx.FindReltioCustomer(customerID, lockRow)
	if err != nil {
		return err
	}
	if !found {
		return newReltioError(reltioUnknownCustomer, customerID)
	}
	return nil
}
