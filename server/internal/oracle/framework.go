package oracle

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// The conventions of Oracle's ADF REST framework: versions, echoed headers, paths, links
// and dates.

const (
	// oracleAPIPrefix starts every path of Oracle's APIs.
	oracleAPIPrefix = "/crmRestApi/"
	// oracleResourcesPath is the resource version served.
	oracleResourcesPath = "/crmRestApi/resources/11.13.18.05"

	headerFrameworkVersion = "REST-Framework-Version"
	headerMetadataContext  = "Metadata-Context"
	// defaultFrameworkVersion is used when a request names none: Oracle Applications
	// Cloud's default.
	defaultFrameworkVersion = 1
	maxFrameworkVersion     = 9
	// firstJSONErrorsVersion is the first version whose errors are JSON, not plain text.
	firstJSONErrorsVersion = 4
	// maxMetadataContext is the longest Metadata-Context echoed, as the spec allows.
	maxMetadataContext = 1024

	mediaTypeADFError = "application/vnd.oracle.adf.error+json"
	mediaTypeText     = "text/plain; charset=utf-8"

	selfServiceUsersName = "customerSelfServiceUsers"
	selfServiceRolesName = "SelfServiceRoles"
)

// adfFramework is what a request asks of the framework: its version, and the sandbox to
// echo.
type adfFramework struct {
	version         int
	metadataContext *string
}

// frameworkOf reads the validated header parameters of an operation.
func frameworkOf(version *int, metadataContext *string) adfFramework {
	f := adfFramework{version: defaultFrameworkVersion, metadataContext: metadataContext}
	if version != nil {
		f.version = *version
	}
	return f
}

// frameworkFromHeader reads the headers of a request that may have failed validation: a
// version outside 1–9 counts as absent, and an overlong Metadata-Context is not echoed.
func frameworkFromHeader(h http.Header) adfFramework {
	f := adfFramework{version: defaultFrameworkVersion}
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get(headerFrameworkVersion))); err == nil && v >= 1 && v <= maxFrameworkVersion {
		f.version = v
	}
	if values := h.Values(headerMetadataContext); len(values) > 0 && len(values[0]) <= maxMetadataContext {
		f.metadataContext = &values[0]
	}
	return f
}

func (f adfFramework) jsonErrors() bool { return f.version >= firstJSONErrorsVersion }

// writeHeaders echoes the version used and the sandbox.
func (f adfFramework) writeHeaders(h http.Header) {
	h.Set(headerFrameworkVersion, strconv.Itoa(f.version))
	if f.metadataContext != nil {
		h.Set(headerMetadataContext, *f.metadataContext)
	}
}

// Paths of the resources, as in Oracle's deployment.
func selfServiceUserPath(userID int64) string {
	return oracleResourcesPath + "/" + selfServiceUsersName + "/" + strconv.FormatInt(userID, 10)
}

func selfServiceRolesPath(userID int64) string {
	return selfServiceUserPath(userID) + "/child/" + selfServiceRolesName
}

func selfServiceRolePath(userID, roleID int64) string {
	return selfServiceRolesPath(userID) + "/" + strconv.FormatInt(roleID, 10)
}

// linkSelection is the link relations a request keeps (the links query parameter), and
// whether it keeps any (onlyData=true keeps none).
type linkSelection struct {
	none bool
	// rels lists the relations kept; empty keeps them all.
	rels []string
}

func newLinkSelection(onlyData *bool, links *string) linkSelection {
	if onlyData != nil && *onlyData {
		return linkSelection{none: true}
	}
	var rels []string
	if links != nil {
		for _, rel := range strings.Split(*links, ",") {
			if rel = strings.TrimSpace(rel); rel != "" {
				rels = append(rels, rel)
			}
		}
	}
	return linkSelection{rels: rels}
}

// keep returns the selected links, or nil when the response carries none.
func (s linkSelection) keep(links []gen.AdfLink) *[]gen.AdfLink {
	if s.none {
		return nil
	}
	kept := slices.DeleteFunc(links, func(l gen.AdfLink) bool { return len(s.rels) > 0 && !slices.Contains(s.rels, l.Rel) })
	return &kept
}

// roleLinks are an item's links: itself (with its changeIndicator), canonically, the
// self-service user it belongs to, and the lists of values of its lookup attributes.
func roleLinks(origin string, view *store.OracleRoleView) []gen.AdfLink {
	userID, roleID := view.UserID, view.RoleID
	self := origin + selfServiceRolePath(userID, roleID)
	return append([]gen.AdfLink{
		{Rel: "self", Href: self, Name: selfServiceRolesName, Kind: gen.Item,
			Properties: &gen.AdfLinkProperties{ChangeIndicator: pointerTo(roleChangeIndicator(view))}},
		{Rel: "canonical", Href: self, Name: selfServiceRolesName, Kind: gen.Item},
		{Rel: "parent", Href: origin + selfServiceUserPath(userID), Name: selfServiceUsersName, Kind: gen.Item},
	}, lovLinks(origin, roleLOVs)...)
}

// roleCollectionLinks are a collection's links.
func roleCollectionLinks(origin string, userID int64) []gen.AdfLink {
	return []gen.AdfLink{{Rel: "self", Href: origin + selfServiceRolesPath(userID), Name: selfServiceRolesName, Kind: gen.Collection}}
}

// Oracle's ISO-8601 forms: dates, and date-times in UTC with a numeric offset.
const (
	adfDateLayout     = "2006-01-02"
	adfDateTimeLayout = "2006-01-02T15:04:05-07:00"
)

func adfDate(t time.Time) string     { return t.UTC().Format(adfDateLayout) }
func adfDateTime(t time.Time) string { return t.UTC().Format(adfDateTimeLayout) }

// Prepare encodes the semicolons of an Oracle request's query: ADF uses them inside values
// (q=A=1;B=2, finder=PrimaryKey;RoleId=1), never between parameters, and Go's query parser
// drops every pair holding a raw one (golang.org/issue/25192).
func (Family) Prepare(c echo.Context) {
	u := c.Request().URL
	u.RawQuery = strings.ReplaceAll(u.RawQuery, ";", "%3B")
}
