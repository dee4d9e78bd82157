package server

import (
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
type oracleFamily struct {
	resource adfResource
}

// forPath is the family for a request on path: its messages name the resource the path
// is about.
func (oracleFamily) forPath(path string) errorFamily {
	return oracleFamily{resource: adfResourceAt(path)}
}

func (f oracleFamily) fromProblem(p *requestProblem) vendorError {
	switch p.kind {
	case problemNoRoute:
		return newADFError(adfNoSuchResource, p.subject)
	case problemMethodNotAllowed:
		return newADFError(adfMethodNotAllowed, p.reason, p.subject)
	case problemUnknownQueryParameters:
		return newADFError(adfUnknownQueryParameter, strings.Join(p.names, ", ")).at(p.names[0])
	case problemInvalidParameter:
		if p.in == "header" && strings.EqualFold(p.subject, headerFrameworkVersion) {
			return newADFError(adfUnsupportedVersion, p.value).at(headerFrameworkVersion)
		}
		return newADFError(adfInvalidParameter, p.subject, p.reason).at(p.subject)
	case problemInvalidBodyAttribute:
		if m := unsupportedProperty.FindStringSubmatch(p.reason); m != nil {
			if f.resource.readOnly != nil && f.resource.readOnly(m[1]) {
				return newADFError(adfReadOnlyAttribute, m[1], f.resource.name).at(m[1])
			}
			return newADFError(adfUnknownAttribute, m[1], f.resource.name).at(m[1])
		}
		if p.subject == "(body)" {
			return newADFError(adfInvalidBody, p.reason)
		}
		return newADFError(adfInvalidAttribute, p.subject, p.reason).at(p.subject)
	case problemBodyRequired:
		return newADFError(adfBodyRequired)
	case problemBodyMalformed:
		return newADFError(adfBodyMalformed, p.reason)
	case problemBodyNotAllowed:
		return newADFError(adfBodyNotAllowed)
	case problemBodyTooLarge:
		return newADFError(adfBodyTooLarge, p.subject)
	case problemUnsupportedMediaType:
		return newADFError(adfUnsupportedMediaType, p.subject).at("Content-Type")
	case problemNotAcceptable:
		return newADFError(adfNotAcceptable, p.subject).at("Accept")
	case problemMissingToken:
		return newADFError(adfAuthenticationRequired)
	case problemInvalidToken:
		return newADFError(adfInvalidToken)
	case problemNotPermitted:
		return newADFError(adfNotAuthorized, p.reason)
	case problemRateLimited:
		return newADFError(adfTooManyRequests, p.subject)
	case problemUnavailable:
		return newADFError(adfUnavailable)
	}
	return newADFError(adfSystem)
}
