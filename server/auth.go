package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
)

// principalKindExtension marks each security scheme in the spec with the kind of principal
// whose tokens it accepts.
const principalKindExtension = "x-custaccess-principal"

// wrongPrincipalError: a valid token of the other kind of principal, or without a scope.
type wrongPrincipalError struct {
	reason        string
	missingScopes bool
	// kind is the token's kind of principal; scopes the scopes it lacks.
	kind   auth.PrincipalKind
	scopes []string
}

func (e *wrongPrincipalError) Error() string { return e.reason }

// checkSecurityScheme is kin-openapi's AuthenticationFunc: the token read by authenticate
// must belong to the scheme's kind of principal and carry the scopes the operation requires.
func checkSecurityScheme(_ context.Context, input *openapi3filter.AuthenticationInput) error {
	a := auth.AuthenticationOf(input.RequestValidationInput.Request.Context())
	if a.Err != nil {
		return a.Err
	}
	if a.Claims == nil {
		return auth.ErrNoBearerToken
	}
	kind, _ := input.SecurityScheme.Extensions[principalKindExtension].(string)
	if string(a.Claims.Kind) != kind {
		return &wrongPrincipalError{reason: fmt.Sprintf("the operation does not accept a %s token", a.Claims.Kind), kind: a.Claims.Kind}
	}
	held := a.Claims.Scopes()
	var missing []string
	for _, scope := range input.Scopes {
		if !slices.Contains(held, scope) {
			missing = append(missing, scope)
		}
	}
	if len(missing) > 0 {
		return &wrongPrincipalError{reason: fmt.Sprintf("the token lacks the scope(s) %s", strings.Join(missing, ", ")), missingScopes: true, kind: a.Claims.Kind, scopes: missing}
	}
	return nil
}

// classifyAuthFailure picks the most telling of the reasons each security requirement
// failed: no token, a bad token, else the scope or kind mismatch of the caller's own kind.
func classifyAuthFailure(failures []error) *requestProblem {
	var wrong *wrongPrincipalError
	for _, err := range failures {
		switch {
		case errors.Is(err, auth.ErrNoBearerToken):
			return &requestProblem{kind: problemMissingToken}
		case errors.Is(err, auth.ErrBadToken):
			return &requestProblem{kind: problemInvalidToken, reason: err.Error()}
		case errors.As(err, &wrong) && wrong.missingScopes:
			return &requestProblem{kind: problemNotPermitted, reason: wrong.reason, cause: wrong}
		}
	}
	if wrong != nil {
		return &requestProblem{kind: problemNotPermitted, reason: wrong.reason, cause: wrong}
	}
	return &requestProblem{kind: problemNotPermitted, reason: "no security requirement is met"}
}

// ScopesFor lists, sorted, the scopes of every security scheme in the spec that accepts
// tokens of this kind of principal.
func ScopesFor(kind auth.PrincipalKind) ([]string, error) {
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, err
	}
	var scopes []string
	for _, ref := range spec.Components.SecuritySchemes {
		scheme := ref.Value
		if k, _ := scheme.Extensions[principalKindExtension].(string); k != string(kind) || scheme.Flows == nil {
			continue
		}
		for _, flow := range []*openapi3.OAuthFlow{scheme.Flows.Implicit, scheme.Flows.Password, scheme.Flows.ClientCredentials, scheme.Flows.AuthorizationCode} {
			if flow == nil {
				continue
			}
			for scope := range flow.Scopes {
				if !slices.Contains(scopes, scope) {
					scopes = append(scopes, scope)
				}
			}
		}
	}
	slices.Sort(scopes)
	return scopes, nil
}
