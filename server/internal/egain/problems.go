package egain

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Request problems found before a handler runs (routing, validation, authentication,
// limits), mapped to entries of the eGain catalogue.

// Family renders request problems as eGain WSErrors.
type Family struct{}

// FromProblem gets the caller's values already cut to what an error may echo (echoable);
// what it derives from them (a list joined, a body attribute's path) it cuts itself.
// PathPrefix: eGain's Customer Manager paths; the family also answers paths of no API.
func (Family) PathPrefix() string { return "/core/customermgr/" }

// StringFormats checks the spec's accept-language format.
func (Family) StringFormats() map[string]openapi3.StringFormatValidator {
	return map[string]openapi3.StringFormatValidator{"accept-language": openapi3.NewCallbackValidator(validAcceptLanguage)}
}

// BodyDecoders: the XML binding decodes application/xml bodies, so that XML requests are
// validated by the same schemas as JSON ones.
func (Family) BodyDecoders() map[string]openapi3filter.BodyDecoder {
	return map[string]openapi3filter.BodyDecoder{
		"application/xml": func(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			return decodeXML(body, schema.Value)
		},
	}
}

func (Family) FromProblem(_ *http.Request, p *httpapi.Problem) httpapi.VendorError {
	switch p.Kind {
	case httpapi.NoRoute:
		return newEgainError(errNoSuchResource, p.Subject)
	case httpapi.MethodNotAllowed:
		return newEgainError(errMethodNotAllowed, p.Reason, p.Subject)
	case httpapi.UnknownQueryParameters:
		return newEgainError(errUnsupportedQueryParameter, untrusted.Echoed(strings.Join(p.Names, ", "))).withEach("parameter", p.Names)
	case httpapi.InvalidParameter:
		if p.In == "header" && strings.EqualFold(p.Subject, "Accept-Language") {
			return newEgainError(errInvalidAcceptLanguage, p.Value).with("Accept-Language", p.Value)
		}
		return newEgainError(errInvalidParameterValue, p.Subject, valueReason(p.Cause)).with("parameter", p.Subject)
	case httpapi.InvalidBodyAttribute:
		attribute := untrusted.Echoed(bodyAttribute(p))
		return newEgainError(errInvalidBodyAttribute, attribute, valueReason(p.Cause)).with("attribute", attribute)
	case httpapi.BodyRequired:
		return newEgainError(errBodyRequired)
	case httpapi.BodyMalformed:
		return newEgainError(errBodyMalformed, bodyReason(p.Cause))
	case httpapi.BodyNotAllowed:
		return newEgainError(errBodyNotAllowed)
	case httpapi.BodyTooLarge:
		return newEgainError(errBodyTooLarge, p.Subject)
	case httpapi.UnsupportedMediaType:
		return newEgainError(errUnsupportedMediaType, p.Subject).with("Content-Type", p.Subject)
	case httpapi.NotAcceptable:
		return newEgainError(errNotAcceptable, p.Subject).with("Accept", p.Subject)
	case httpapi.MissingToken:
		return newEgainError(errMissingToken)
	case httpapi.InvalidToken:
		return newEgainError(errInvalidToken)
	case httpapi.NotPermitted:
		var wrong *httpapi.WrongPrincipalError
		switch {
		case errors.As(p.Cause, &wrong) && len(wrong.Scopes) > 0:
			n := len(wrong.Scopes)
			return newEgainError(errNotAllowed, egainReason{message: "reason.auth.missingScopes", data: map[string]any{"Scopes": strings.Join(wrong.Scopes, ", "), "Count": n}, count: n}).
				withEach("scope", wrong.Scopes)
		case wrong != nil:
			return wrongPrincipal(wrong.Kind)
		}
		return newEgainError(errNotAllowed, egainReason{message: "reason.auth.noRequirement"})
	case httpapi.RateLimited:
		return newEgainError(errTooManyRequests, p.Subject)
	case httpapi.Unavailable:
		return newEgainError(errUnavailable)
	}
	return newEgainError(errSystem)
}
