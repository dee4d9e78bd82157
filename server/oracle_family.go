package server

import (
	"net/http"
	"regexp"
	"strings"
)

// How the ADF REST framework reports the problems found before a handler runs (routing,
// validation, authentication, limits), for any resource.

// adfResource is what the framework's errors need to know of a resource: its name, and
// which attributes of its items are read-only (refused in a body as such, not as unknown).
type adfResource struct {
	name     string
	readOnly func(attribute string) bool
}

// adfResources are the resources served.
var adfResources = []adfResource{selfServiceRolesResource}

// adfResourceAt finds the resource a request path is about: the last collection it names
// (/crmRestApi/resources/VERSION/COLLECTION/ID/child/COLLECTION/ID...). A collection not
// served is known by its name only.
func adfResourceAt(path string) adfResource {
	rest, _ := strings.CutPrefix(path, oracleAPIPrefix+"resources/")
	segments := strings.Split(strings.Trim(rest, "/"), "/")
	var name string
	for i := 1; i < len(segments); i += 3 { // after the version: collection, id, "child"
		name = segments[i]
	}
	for _, r := range adfResources {
		if r.name == name {
			return r
		}
	}
	return adfResource{name: name}
}

// unsupportedProperty finds the attribute in kin-openapi's reason for a body member the
// schema does not declare; the schema error itself points at the enclosing object.
var unsupportedProperty = regexp.MustCompile(`^property "(.+)" is unsupported$`)

// oracleFamily renders request problems as ADF errors, naming the resource of the request.
type oracleFamily struct{}

func (oracleFamily) PathPrefix() string { return oracleAPIPrefix }

func (oracleFamily) FromProblem(r *http.Request, p *Problem) VendorError {
	resource := adfResourceAt(r.URL.Path)
	switch p.Kind {
	case NoRoute:
		return newADFError(adfNoSuchResource, p.Subject)
	case MethodNotAllowed:
		return newADFError(adfMethodNotAllowed, p.Reason, p.Subject)
	case UnknownQueryParameters:
		return newADFError(adfUnknownQueryParameter, strings.Join(p.Names, ", ")).at(p.Names[0])
	case InvalidParameter:
		if p.In == "header" && strings.EqualFold(p.Subject, headerFrameworkVersion) {
			return newADFError(adfUnsupportedVersion, p.Value).at(headerFrameworkVersion)
		}
		return newADFError(adfInvalidParameter, p.Subject, p.Reason).at(p.Subject)
	case InvalidBodyAttribute:
		if m := unsupportedProperty.FindStringSubmatch(p.Reason); m != nil {
			if resource.readOnly != nil && resource.readOnly(m[1]) {
				return newADFError(adfReadOnlyAttribute, m[1], resource.name).at(m[1])
			}
			return newADFError(adfUnknownAttribute, m[1], resource.name).at(m[1])
		}
		if p.Subject == "(body)" {
			return newADFError(adfInvalidBody, p.Reason)
		}
		return newADFError(adfInvalidAttribute, p.Subject, p.Reason).at(p.Subject)
	case BodyRequired:
		return newADFError(adfBodyRequired)
	case BodyMalformed:
		return newADFError(adfBodyMalformed, p.Reason)
	case BodyNotAllowed:
		return newADFError(adfBodyNotAllowed)
	case BodyTooLarge:
		return newADFError(adfBodyTooLarge, p.Subject)
	case UnsupportedMediaType:
		return newADFError(adfUnsupportedMediaType, p.Subject).at("Content-Type")
	case NotAcceptable:
		return newADFError(adfNotAcceptable, p.Subject).at("Accept")
	case MissingToken:
		return newADFError(adfAuthenticationRequired)
	case InvalidToken:
		return newADFError(adfInvalidToken)
	case NotPermitted:
		return newADFError(adfNotAuthorized, p.Reason)
	case RateLimited:
		return newADFError(adfTooManyRequests, p.Subject)
	case Unavailable:
		return newADFError(adfUnavailable)
	}
	return newADFError(adfSystem)
}
