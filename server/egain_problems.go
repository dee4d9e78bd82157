package server

import (
	"errors"
	"strings"
)

// Request problems found before a handler runs (routing, validation, authentication,
// limits), mapped to entries of the eGain catalogue.

// egainFamily renders request problems as eGain WSErrors.
type egainFamily struct{}

func (egainFamily) fromProblem(p *requestProblem) vendorError {
	switch p.kind {
	case problemNoRoute:
		return newEgainError(errNoSuchResource, echoed(p.subject))
	case problemMethodNotAllowed:
		return newEgainError(errMethodNotAllowed, echoed(p.reason), echoed(p.subject))
	case problemUnknownQueryParameters:
		names := make([]string, len(p.names))
		for i, name := range p.names {
			names[i] = echoed(name)
		}
		return newEgainError(errUnsupportedQueryParameter, echoed(strings.Join(names, ", "))).withEach("parameter", names)
	case problemInvalidParameter:
		if p.in == "header" && strings.EqualFold(p.subject, "Accept-Language") {
			value := echoed(p.value)
			return newEgainError(errInvalidAcceptLanguage, value).with("Accept-Language", value)
		}
		return newEgainError(errInvalidParameterValue, echoed(p.subject), valueReason(p.cause)).with("parameter", echoed(p.subject))
	case problemInvalidBodyAttribute:
		attribute := echoed(bodyAttribute(p))
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
		mediaType := echoed(p.subject)
		return newEgainError(errUnsupportedMediaType, mediaType).with("Content-Type", mediaType)
	case problemNotAcceptable:
		accept := echoed(p.subject)
		return newEgainError(errNotAcceptable, accept).with("Accept", accept)
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
