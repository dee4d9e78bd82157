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

// FromProblem gets the caller's values already cut to what an error may echo (echoable);
// what it derives from them (a list joined, a body attribute's path) it cuts itself.
func (egainFamily) FromProblem(p *Problem) VendorError {
	switch p.Kind {
	case NoRoute:
		return newEgainError(errNoSuchResource, p.Subject)
	case MethodNotAllowed:
		return newEgainError(errMethodNotAllowed, p.Reason, p.Subject)
	case UnknownQueryParameters:
		return newEgainError(errUnsupportedQueryParameter, untrusted.Echoed(strings.Join(p.Names, ", "))).withEach("parameter", p.Names)
	case InvalidParameter:
		if p.In == "header" && strings.EqualFold(p.Subject, "Accept-Language") {
			return newEgainError(errInvalidAcceptLanguage, p.Value).with("Accept-Language", p.Value)
		}
		return newEgainError(errInvalidParameterValue, p.Subject, valueReason(p.Cause)).with("parameter", p.Subject)
	case InvalidBodyAttribute:
		attribute := untrusted.Echoed(bodyAttribute(p))
		return newEgainError(errInvalidBodyAttribute, attribute, valueReason(p.Cause)).with("attribute", attribute)
	case BodyRequired:
		return newEgainError(errBodyRequired)
	case BodyMalformed:
		return newEgainError(errBodyMalformed, bodyReason(p.Cause))
	case BodyNotAllowed:
		return newEgainError(errBodyNotAllowed)
	case BodyTooLarge:
		return newEgainError(errBodyTooLarge, p.Subject)
	case UnsupportedMediaType:
		return newEgainError(errUnsupportedMediaType, p.Subject).with("Content-Type", p.Subject)
	case NotAcceptable:
		return newEgainError(errNotAcceptable, p.Subject).with("Accept", p.Subject)
	case MissingToken:
		return newEgainError(errMissingToken)
	case InvalidToken:
		return newEgainError(errInvalidToken)
	case NotPermitted:
		var wrong *WrongPrincipalError
		switch {
		case errors.As(p.Cause, &wrong) && len(wrong.Scopes) > 0:
			n := len(wrong.Scopes)
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.missingScopes", data: map[string]any{"Scopes": strings.Join(wrong.Scopes, ", "), "Count": n}, count: n}).
				withEach("scope", wrong.Scopes)
		case wrong != nil:
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.wrongPrincipal", data: map[string]any{"Kind": string(wrong.Kind)}})
		}
		return newEgainError(errNotAllowed, egainReason{message: "reason.auth.noRequirement"})
	case RateLimited:
		return newEgainError(errTooManyRequests, p.Subject)
	case Unavailable:
		return newEgainError(errUnavailable)
	}
	return newEgainError(errSystem)
}
