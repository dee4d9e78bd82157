package httpapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
)

// principalKindExtension marks each security scheme in the spec with the kind of principal
// whose tokens it accepts.
const principalKindExtension = "x-custaccess-principal"

// WrongPrincipalError: a valid token of the other kind of principal, or without a scope.
type WrongPrincipalError struct {
	Reason        string
	MissingScopes bool
	// Kind is the token's Kind of principal; scopes the scopes it lacks.
	Kind   auth.PrincipalKind
	Scopes []string
}

func (e *WrongPrincipalError) Error() string { return e.Reason }

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
		return &WrongPrincipalError{Reason: fmt.Sprintf("the operation does not accept a %s token", a.Claims.Kind), Kind: a.Claims.Kind}
	}
	held := a.Claims.Scopes()
	var missing []string
	for _, scope := range input.Scopes {
		if !slices.Contains(held, scope) {
			missing = append(missing, scope)
		}
	}
	if len(missing) > 0 {
		return &WrongPrincipalError{Reason: fmt.Sprintf("the token lacks the scope(s) %s", strings.Join(missing, ", ")), MissingScopes: true, Kind: a.Claims.Kind, Scopes: missing}
	}
	return nil
}

// classifyAuthFailure picks the most telling of the reasons each security requirement
// failed: no token, a bad token, else the scope or kind mismatch of the caller's own kind.
func classifyAuthFailure(failures []error) *Problem {
	var wrong *WrongPrincipalError
	for _, err := range failures {
		switch {
		case errors.Is(err, auth.ErrNoBearerToken):
			return &Problem{Kind: MissingToken}
		case errors.Is(err, auth.ErrBadToken):
			return &Problem{Kind: InvalidToken, Reason: err.Error()}
		case errors.As(err, &wrong) && wrong.MissingScopes:
			return &Problem{Kind: NotPermitted, Reason: wrong.Reason, Cause: wrong}
		}
	}
	if wrong != nil {
		return &Problem{Kind: NotPermitted, Reason: wrong.Reason, Cause: wrong}
	}
	return &Problem{Kind: NotPermitted, Reason: "no security requirement is met"}
}

// AuditReadScope lets a token read the audit trail; only auditors may hold it.
const AuditReadScope = "audit.read"

// ScopesOffered is ScopesFor less the scopes the principal may not hold: audit.read
// unless it is an auditor.
func ScopesOffered(kind auth.PrincipalKind, auditor bool) ([]string, error) {
	scopes, err := ScopesFor(kind)
	if err != nil || auditor {
		return scopes, err
	}
	return slices.DeleteFunc(scopes, func(s string) bool { return s == AuditReadScope }), nil
}

// ScopesFor lists, sorted, the scopes of every security scheme in the spec that accepts
// tokens of this kind of principal.
func ScopesFor(kind auth.PrincipalKind) ([]string, error) {
	byKind, err := scopesByKind()
	if err != nil {
		return nil, err
	}
	return slices.Clone(byKind[kind]), nil
}

// scopesByKind reads the scopes of each kind of principal from the embedded spec once: the
// token endpoint asks at every request.
var scopesByKind = sync.OnceValues(func() (map[auth.PrincipalKind][]string, error) {
	spec, err := gen.GetSwagger()
	if err != nil {
		return nil, err
	}
	byKind := map[auth.PrincipalKind][]string{}
	for _, ref := range spec.Components.SecuritySchemes {
		scheme := ref.Value
		kind, _ := scheme.Extensions[principalKindExtension].(string)
		if kind == "" || scheme.Flows == nil {
			continue
		}
		scopes := byKind[auth.PrincipalKind(kind)]
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
		byKind[auth.PrincipalKind(kind)] = scopes
	}
	for _, scopes := range byKind {
		slices.Sort(scopes)
	}
	return byKind, nil
})
