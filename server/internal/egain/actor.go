package egain

import (
	"context"
	"errors"
	"slices"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// actor is the caller of an eGain operation with its rights as stored now: rights are read
// at every request, so a change takes effect at once.
type actor struct {
	user   *store.User
	client *store.Client
}

// authorize loads the caller of the request in ctx and checks that it may perform action.
func authorize(ctx context.Context, tx *store.Tx, action string) (*actor, error) {
	a, err := loadActor(tx, auth.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	if err := a.require(action); err != nil {
		return nil, err
	}
	return a, nil
}

// loadActor finds the token's principal; one that no longer exists has an invalid token.
func loadActor(tx *store.Tx, claims *auth.Claims) (*actor, error) {
	if claims == nil {
		return nil, newEgainError(errMissingToken)
	}
	switch claims.Kind {
	case auth.PrincipalUser:
		user, err := tx.UserByLogin(claims.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return nil, newEgainError(errInvalidToken)
		}
		if err != nil {
			return nil, err
		}
		return &actor{user: user}, nil
	case auth.PrincipalClient:
		client, err := tx.ClientByClientID(claims.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return nil, newEgainError(errInvalidToken)
		}
		if err != nil {
			return nil, err
		}
		if client.Type != store.ClientTypeAPI {
			return nil, newEgainError(errNotAllowed, egainReason{message: "reason.auth.clientType"}).
				with("clientType", client.Type)
		}
		return &actor{client: client}, nil
	}
	return nil, newEgainError(errInvalidToken)
}

// require checks that a user may perform action; client applications need no action.
func (a *actor) require(action string) error {
	if a.user != nil && !a.user.HasAction(action) {
		return newEgainError(errActionRequired, action).with("action", action)
	}
	return nil
}

// requireDepartments checks that every customer of ids is in the user's home department or
// in a department where the user is a foreign user; client applications are not confined.
// A customer that does not exist is in none of the user's departments and is refused alike,
// 403-197 listing it, so that a user cannot tell an unknown customer from one it may not see.
func (a *actor) requireDepartments(ids []int64, customers []store.Customer) error {
	if a.user == nil {
		return nil
	}
	var outside []string
	for _, id := range ids {
		i := slices.IndexFunc(customers, func(c store.Customer) bool { return c.ID == id })
		if i < 0 || !a.user.WorksIn(customers[i].DepartmentID) {
			if s := formatID(id); !slices.Contains(outside, s) {
				outside = append(outside, s)
			}
		}
	}
	if len(outside) > 0 {
		return newEgainError(errDepartmentNotAuthorized, outside).withEach("customerId", outside)
	}
	return nil
}

// requireDepartmentsIfOn applies requireDepartments when customer departmentalization is on.
func (a *actor) requireDepartmentsIfOn(on bool, ids []int64, customers []store.Customer) error {
	if !on {
		return nil
	}
	return a.requireDepartments(ids, customers)
}

// visible keeps the customers the actor may see with departmentalization on: all of them
// for client applications, those of the user's departments for a user.
func (a *actor) visible(customers []store.Customer) []store.Customer {
	if a.user == nil {
		return customers
	}
	var kept []store.Customer
	for _, c := range customers {
		if a.user.WorksIn(c.DepartmentID) {
			kept = append(kept, c)
		}
	}
	return kept
}
