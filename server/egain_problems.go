package server

import (
	"errors"
	"strings"

	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// Request problems found before a handler runs (routing, validation, authentication,
// limits), mapped to entries of the eGain catalogue.

// egainFamily renders request problems as eGain WSErrors.
type egainFamily struct{}

// fromProblem gets the caller's values already cut to what an error may echo (echoable);
// what it derives from them (a list joined, a body attribute's path) it cuts itself.
func (egainFamily) fromProblem(p *requestProblem) vendorError {
	switch p.kind {
	case problemNoRoute:
		return newEgainError(errNoSuchResource, p.subject)
	case problemMethodNotAllowed:
		return newEgainError(errMethodNotAllowed, p.reason, p.subject)
	case problemUnknownQueryParameters:
		return newEgainError(errUnsupportedQueryParameter, untrusted.Echoed(strings.Join(p.names, ", "))).withEach("parameter", p.names)
	case problemInvalidParameter:
		if p.in == "header" && strings.EqualFold(p.subject, "Accept-Language") {
			return newEgainError(errInvalidAcceptLanguage, p.value).with("Accept-Language", p.value)
		}
		return newEgainError(errInvalidParameterValue, p.subject, valueReason(p.cause)).with("parameter", p.subject)
	case problemInvalidBodyAttribute:
		attribute := untrusted.Echoed(bodyAttribute(p))
		return newEgainError(errInvalidBodyAttribute, attribute, valueReason(p.cause)).with("attribute", attribute)
	case problemBodyRequired:
		return newEgainError(errBodyRequired)
	case problemBodyMalformed:
		return newEgainError(errBodyMalformed, bodyReason(p.cause))
	case problemBodyNotAllowed:
		return newEgainError(errBodyNotAllowed)
	case problemBodyTooLarge:
		return newEgainError(errBodyTooLarge, p.subject)
	case problemUnsupportedMediaType:
		return newEgainError(errUnsupportedMediaType, p.subject).with("Content-Type", p.subject)
	case problemNotAcceptable:
		return newEgainError(errNotAcceptable, p.subject).with("Accept", p.subject)
	case problemMissingToken:
		return newEgainError(errMissingToken)
	case problemInvalidToken:
		return newEgainError(errInvalidToken)
	case problemNotPermitted:
		var wrong *wrongPrincipalError
		switch {
		case errors.As(p.cause, &wrong) && len(wrong.scopes) > 0:
			n := len(wrong.scopes)
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.missingScopes", data: map[string]any{"Scopes": strings.Join(wrong.scopes, ", "), "Count": n}, count: n}).
				withEach("scope", wrong.scopes)
		case wrong != nil:
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.wrongPrincipal", data: map[string]any{"Kind": string(wrong.kind)}})
		}
		return newEgainError(errNotAllowed, egainReason{message: "reason.auth.noRequirement"})
	case problemRateLimited:
		return newEgainError(errTooManyRequests, p.subject)
	case problemUnavailable:
		return newEgainError(errUnavailable)
	}
	return newEgainError(errSystem)
}
