package oracle

import (
	"net/http"
	"strings"

	"github.com/custaccess/custaccess/server/internal/httpapi"
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

// Family renders request problems as ADF errors, naming the resource of the request.
type Family struct{}

func (Family) PathPrefix() string { return oracleAPIPrefix }

func (Family) FromProblem(r *http.Request, p *httpapi.Problem) httpapi.VendorError {
	resource := adfResourceAt(r.URL.Path)
	switch p.Kind {
	case httpapi.NoRoute:
		return newADFError(adfNoSuchResource, p.Subject)
	case httpapi.MethodNotAllowed:
		return newADFError(adfMethodNotAllowed, p.Reason, p.Subject)
	case httpapi.UnknownQueryParameters:
		return newADFError(adfUnknownQueryParameter, strings.Join(p.Names, ", ")).at(p.Names[0])
	case httpapi.InvalidParameter:
		if p.In == "header" && strings.EqualFold(p.Subject, headerFrameworkVersion) {
			return newADFError(adfUnsupportedVersion, p.Value).at(headerFrameworkVersion)
		}
		return newADFError(adfInvalidParameter, p.Subject, p.Reason).at(p.Subject)
	case httpapi.InvalidBodyAttribute:
		if member, ok := httpapi.UnsupportedMember(p.Reason); ok {
			if resource.readOnly != nil && resource.readOnly(member) {
				return newADFError(adfReadOnlyAttribute, member, resource.name).at(member)
			}
			return newADFError(adfUnknownAttribute, member, resource.name).at(member)
		}
		if p.Subject == "(body)" {
			return newADFError(adfInvalidBody, p.Reason)
		}
		return newADFError(adfInvalidAttribute, p.Subject, p.Reason).at(p.Subject)
	case httpapi.BodyRequired:
		return newADFError(adfBodyRequired)
	case httpapi.BodyMalformed:
		return newADFError(adfBodyMalformed, p.Reason)
	case httpapi.BodyNotAllowed:
		return newADFError(adfBodyNotAllowed)
	case httpapi.BodyTooLarge:
		return newADFError(adfBodyTooLarge, p.Subject)
	case httpapi.UnsupportedMediaType:
		return newADFError(adfUnsupportedMediaType, p.Subject).at("Content-Type")
	case httpapi.NotAcceptable:
		return newADFError(adfNotAcceptable, p.Subject).at("Accept")
	case httpapi.MissingToken:
		return newADFError(adfAuthenticationRequired)
	case httpapi.InvalidToken:
		return newADFError(adfInvalidToken)
	case httpapi.NotPermitted:
		return newADFError(adfNotAuthorized, p.Reason)
	case httpapi.RateLimited:
		return newADFError(adfTooManyRequests, p.Subject)
	case httpapi.Unavailable:
		return newADFError(adfUnavailable)
	}
	return newADFError(adfSystem)
}
