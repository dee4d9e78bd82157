package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

func createAs(login string, userID int64, body string) func(h *harness) servertest.Request {
	return func(h *harness) servertest.Request {
		return servertest.ADF(http.MethodPost, servertest.RolesPath(userID), h.UserToken(login), body)
	}
}

func TestCreateSelfServiceRoleRules(t *testing.T) {
	patUser := roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_USER", "active")
	runOracleCases(t, nil, []oracleCase{
		{name: "only the relationship type: the user's own contact, login and account", status: 201,
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`), after: []string{patUser}},
		{name: "every writable attribute, matching the user", status: 201,
			request: createAs("css-admin", servertest.Pat, `{"AccountPartyId":300100000000001,"ContactPartyId":300100000000101,"LoginId":"pat@example.com","RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`),
			after:   []string{patUser}},
		{name: "login in another case", status: 201,
			request: createAs("css-admin", servertest.Pat, `{"LoginId":"PAT@Example.com","RelationshipTypeCd":"ORA_CSS_USER"}`), after: []string{patUser}},
		{name: "body as an ADF resource item", status: 201,
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Content-Type", "application/vnd.oracle.adf.resourceitem+json")
			},
			after: []string{patUser}},
		{name: "a contact of two accounts names one", status: 201,
			request: createAs("css-admin", servertest.Sam, `{"AccountPartyId":300100000000002,"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`),
			after:   []string{roleState(1, servertest.Sam, servertest.Globex, "ORA_CSS_ACC_ADMIN", "active")}},
		{name: "the third seeded role type", status: 201,
			request: createAs("css-admin", servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			after:   []string{roleState(1, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active")}},
		{name: "a custom role type added by a seed file", status: 201,
			fixtures: []string{"oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{code: ZZ_PARTNER, meaning: Partner}]}}"},
			request:  createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ZZ_PARTNER"}`),
			after:    []string{roleState(1, servertest.Pat, servertest.Acme, "ZZ_PARTNER", "active")}},
		{name: "Upsert-Mode without an existing role creates", status: 201,
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Upsert-Mode", "true")
			},
			after: []string{patUser}},
		{name: "self-service user does not exist", status: 404, code: "JBO-25020", path: "UserId",
			request: createAs("css-admin", 999, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "caller without any Oracle privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: createAs("css-none", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "caller with the view privilege only", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: createAs("css-viewer", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		// The privilege is checked before anything else the request may have wrong.
		{name: "caller without privilege, for a user that does not exist", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: createAs("css-viewer", 999, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "caller without privilege, with an account not the user's", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: createAs("css-none", servertest.Pat, `{"AccountPartyId":42,"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "caller without privilege, without a relationship type", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: createAs("css-viewer", servertest.Pat, `{"RequestTypeCd":"B2B"}`)},
		{name: "caller without privilege, with a disabled relationship type", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED",
			request: createAs("css-none", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`)},
		{name: "token of a user no longer in the database", status: 401, code: "ADF_REST_INVALID_TOKEN",
			request: createAs("ghost", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "no token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), "", `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			}},
		{name: "token of a client application", status: 403, code: "ADF_REST_NOT_AUTHORIZED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.ClientToken("crm-sync"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			}},
		{name: "contact of another user", status: 400, code: "SVC_CSS_CONTACT_MISMATCH", path: "ContactPartyId",
			request: createAs("css-admin", servertest.Pat, `{"ContactPartyId":300100000000102,"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "login of another user", status: 400, code: "SVC_CSS_LOGIN_MISMATCH", path: "LoginId",
			request: createAs("css-admin", servertest.Pat, `{"LoginId":"sam@example.com","RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "account the user's contact does not belong to", status: 400, code: "SVC_CSS_ACCOUNT_MISMATCH", path: "AccountPartyId",
			request: createAs("css-admin", servertest.Pat, `{"AccountPartyId":300100000000002,"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "account that does not exist", status: 400, code: "SVC_CSS_ACCOUNT_MISMATCH", path: "AccountPartyId",
			request: createAs("css-admin", servertest.Pat, `{"AccountPartyId":42,"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "no account for a contact of two accounts", status: 400, code: "JBO-27014", path: "AccountPartyId",
			request: createAs("css-admin", servertest.Sam, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "no account for a contact of two accounts, the user registered for one: that one", status: 201,
			fixtures: []string{samRegistrations(servertest.Globex)},
			request:  createAs("css-admin", servertest.Sam, `{"RelationshipTypeCd":"ORA_CSS_USER"}`),
			after:    []string{roleState(1, servertest.Sam, servertest.Globex, "ORA_CSS_USER", "active")}},
		{name: "no account for a contact of two accounts, the user registered for both", status: 400, code: "JBO-27014", path: "AccountPartyId",
			fixtures: []string{samRegistrations(servertest.Globex, servertest.Acme)},
			request:  createAs("css-admin", servertest.Sam, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "no account for a contact of none", status: 400, code: "JBO-27014", path: "AccountPartyId",
			request: createAs("css-admin", servertest.Lee, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "no relationship type", status: 400, code: "JBO-27014", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RequestTypeCd":"B2B"}`)},
		{name: "relationship type that is no code", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_BOSS"}`)},
		{name: "disabled relationship type", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`)},
		{name: "relationship type disabled by a later seed file", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd",
			fixtures: []string{"oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{code: ORA_CSS_USER, meaning: User, enabled: false}]}}"},
			request:  createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "relationship type that is a request type code", status: 400, code: "SVC_CSS_INVALID_RELATIONSHIP_TYPE", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"B2B"}`)},
		{name: "request type that is no code", status: 400, code: "SVC_CSS_INVALID_REQUEST_TYPE", path: "RequestTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2G"}`)},
		{name: "disabled request type", status: 400, code: "SVC_CSS_INVALID_REQUEST_TYPE", path: "RequestTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2X"}`)},
		{name: "unknown attribute", status: 400, code: "JBO-25058", path: "Colour",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","Colour":"red"}`)},
		{name: "read-only attribute", status: 400, code: "JBO-27008", path: "RoleId",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","RoleId":7}`)},
		{name: "attribute name in another case", status: 400, code: "JBO-25058", path: "relationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"relationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "relationship type over 320 characters", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"`+strings.Repeat("X", 321)+`"}`)},
		{name: "request type over 30 characters", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "RequestTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"`+strings.Repeat("B", 31)+`"}`)},
		{name: "login over 320 characters", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "LoginId",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","LoginId":"`+strings.Repeat("p", 321)+`"}`)},
		{name: "account id as a string", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "AccountPartyId",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","AccountPartyId":"300100000000001"}`)},
		{name: "account id not an integer", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "AccountPartyId",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","AccountPartyId":1.5}`)},
		{name: "relationship type null", status: 400, code: "ADF_REST_INVALID_ATTRIBUTE", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":null}`)},
		{name: "body not an object", status: 400, code: "ADF_REST_INVALID_BODY",
			request: createAs("css-admin", servertest.Pat, `["ORA_CSS_USER"]`)},
		{name: "malformed JSON", status: 400, code: "ADF_REST_MALFORMED_BODY",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":`)},
		{name: "no body", status: 400, code: "ADF_REST_BODY_REQUIRED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), "").With("Content-Type", "application/json")
			}},
		{name: "body as text", status: 415, code: "ADF_REST_UNSUPPORTED_MEDIA_TYPE", path: "Content-Type",
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Content-Type", "text/plain")
			}},
		{name: "media type spelled in capitals (media types are case-insensitive)", status: 201, after: []string{patUser},
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Content-Type", "Application/JSON")
			}},
		{name: "media type with a parameter that cannot be read (no charset value)", status: 415, code: "ADF_REST_UNSUPPORTED_MEDIA_TYPE", path: "Content-Type",
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Content-Type", "APPLICATION/JSON; charset")
			}},
		{name: "ADF media type with a parameter that cannot be read", status: 415, code: "ADF_REST_UNSUPPORTED_MEDIA_TYPE", path: "Content-Type",
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Content-Type", "Application/Vnd.Oracle.ADF.ResourceItem+JSON;=")
			}},
		{name: "body too large", status: 413, code: "ADF_REST_BODY_TOO_LARGE",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"`+strings.Repeat("X", 70_000)+`"}`)},
		{name: "unsupported query parameter", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", path: "colour",
			request: func(h *harness) servertest.Request {
				r := createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h)
				r.Path += "?colour=red"
				return r
			}},
		{name: "Upsert-Mode neither true nor false", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "Upsert-Mode",
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Upsert-Mode", "maybe")
			}},
		{name: "user id not a number", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "UserId",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, strings.Replace(servertest.RolesPath(servertest.Pat), "/100/", "/pat/", 1), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			}},
		{name: "user id with a leading zero", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "UserId",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, strings.Replace(servertest.RolesPath(servertest.Pat), "/100/", "/0100/", 1), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			}},
		{name: "user id with a plus sign", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "UserId",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, strings.Replace(servertest.RolesPath(servertest.Pat), "/100/", "/+100/", 1), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			}},
		{name: "Accept admitting no ADF media type", status: 406, code: "ADF_REST_NOT_ACCEPTABLE", path: "Accept",
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Accept", "text/html")
			}},
	})
}

// samRegistrations gives sam a registration (B2C) for each account, numbered from 6001.
func samRegistrations(accounts ...int64) string {
	var b strings.Builder
	b.WriteString("oracle:\n  registrations:\n")
	for i, account := range accounts {
		fmt.Fprintf(&b, "    - {registrationId: %d, userId: %d, accountPartyId: %d, requestTypeCd: B2C}\n", 6001+i, servertest.Sam, account)
	}
	return b.String()
}

// Rules that need roles in place: one active role per user, account and type.
func TestCreateSelfServiceRoleWithExistingRoles(t *testing.T) {
	prepare := func(h *harness) {
		h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
		ended := h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)
		if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, ended), h.UserToken("css-admin"), "")); rec.Code != http.StatusNoContent {
			h.T.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
	}
	existing := []string{roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_USER", "active"), roleState(2, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_MANAGER", "ended")}
	runOracleCases(t, prepare, []oracleCase{
		{name: "the same active role again", status: 400, code: "JBO-25013", path: "RelationshipTypeCd",
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)},
		{name: "the same active role with Upsert-Mode false", status: 400, code: "JBO-25013", path: "RelationshipTypeCd",
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)(h).With("Upsert-Mode", "false")
			}},
		{name: "the same active role with Upsert-Mode true updates it", status: 200,
			request: func(h *harness) servertest.Request {
				return createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`)(h).With("Upsert-Mode", "true")
			},
			requestTypes: map[int64]string{1: "B2C"}},
		{name: "another type on the same account", status: 201,
			request: createAs("css-admin", servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`),
			after:   append(existing, roleState(3, servertest.Pat, servertest.Acme, "ORA_CSS_ACC_ADMIN", "active"))},
		{name: "a role that was removed, again", status: 201,
			request: createAs("css-admin", servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			after:   append(existing, roleState(3, servertest.Kim, servertest.Acme, "ORA_CSS_ACC_MANAGER", "active"))},
	})
}

// dateTimePattern is Oracle's ISO-8601 date-time form in UTC.
var dateTimePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$`)

// checkStamps checks the dates of a role written now, then clears them so the rest of the
// item can be compared whole.
func checkStamps(t *testing.T, role *gen.SelfServiceRole) {
	t.Helper()
	today := time.Now().UTC().Format(time.DateOnly)
	if role.StartDate == nil || *role.StartDate != today {
		t.Errorf("StartDate %v, want %s", role.StartDate, today)
	}
	for name, value := range map[string]*string{"CreationDate": role.CreationDate, "LastUpdateDate": role.LastUpdateDate} {
		if value == nil || !dateTimePattern.MatchString(*value) {
			t.Errorf("%s %v is not an Oracle date-time", name, value)
			continue
		}
		if at, err := time.Parse(time.RFC3339, *value); err != nil || time.Since(at) > time.Minute || time.Since(at) < -time.Minute {
			t.Errorf("%s %s is not now", name, *value)
		}
	}
	role.StartDate, role.CreationDate, role.LastUpdateDate = nil, nil, nil
}

func jsonOf(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func TestCreateSelfServiceRoleResponse(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		// The links and Location name the host the client used.
		rec := h.Do(servertest.ADF(http.MethodPost, "http://crm.example.com"+servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`).
			With("Metadata-Context", `sandbox="TrackEmployeeFeature"`))
		if got := rec.Header().Get("Location"); got != "http://crm.example.com"+servertest.RolePath(servertest.Pat, 1) {
			t.Errorf("Location %q", got)
		}
		if got := rec.Header().Get(oracle.HeaderFrameworkVersion); got != "4" {
			t.Errorf("REST-Framework-Version %q, want 4", got)
		}
		if got := rec.Header().Get(oracle.HeaderMetadataContext); got != `sandbox="TrackEmployeeFeature"` {
			t.Errorf("Metadata-Context %q", got)
		}
		role := servertest.DecodeRole(t, rec, http.StatusCreated)
		checkStamps(t, &role)
		self := "http://crm.example.com" + servertest.RolePath(servertest.Pat, 1)
		want := gen.SelfServiceRole{
			AccountPartyId: oracle.PointerTo(servertest.Acme), AccountPartyName: oracle.PointerTo("Acme Corp"), AccountPartyNumber: oracle.PointerTo("CDRM_1001"),
			// The only administrator of Acme: css-admin may not remove it.
			CanDeleteFlag: oracle.PointerTo(false), CanUpdateFlag: oracle.PointerTo(true),
			ContactPartyId: oracle.PointerTo(servertest.PatContact), ContactPartyName: oracle.PointerTo("Pat Doe"), ContactPartyNumber: oracle.PointerTo("CDRM_2001"),
			CreatedBy: oracle.PointerTo("css-admin"), EmailAddress: oracle.PointerTo("pat@example.com"),
			LastUpdatedBy: oracle.PointerTo("css-admin"), LastUpdateLogin: oracle.PointerTo(oracle.UpdateLogin("css-admin")),
			LoginId: oracle.PointerTo("pat@example.com"), RegistrationId: oracle.PointerTo(int64(5001)),
			RelationshipTypeCd: oracle.PointerTo("ORA_CSS_ACC_ADMIN"), RequestTypeCd: oracle.PointerTo("B2B"),
			RoleId: oracle.PointerTo(int64(1)), RoleValue: oracle.PointerTo("Account Administrator"),
			Links: &[]gen.AdfLink{
				{Rel: "self", Href: self, Name: "SelfServiceRoles", Kind: gen.Item, Properties: &gen.AdfLinkProperties{ChangeIndicator: oracle.PointerTo("1-1")}},
				{Rel: "canonical", Href: self, Name: "SelfServiceRoles", Kind: gen.Item},
				{Rel: "parent", Href: "http://crm.example.com/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/100", Name: "customerSelfServiceUsers", Kind: gen.Item},
				{Rel: "lov", Href: "http://crm.example.com/crmRestApi/resources/11.13.18.05/fndStaticLookups?finder=LookupTypeFinder%3BLookupType%3DORA_SVC_CSS_REL_TYPE_CD", Name: "RelationshipTypeCdLOV", Kind: gen.Collection},
				{Rel: "lov", Href: "http://crm.example.com/crmRestApi/resources/11.13.18.05/fndStaticLookups?finder=LookupTypeFinder%3BLookupType%3DORA_SVC_CSS_REQ_TYPE_CD", Name: "RequestTypeCdLOV", Kind: gen.Collection},
			},
		}
		if jsonOf(role) != jsonOf(want) {
			t.Fatalf("item:\n got %s\nwant %s", jsonOf(role), jsonOf(want))
		}
		if !regexp.MustCompile(`^[0-9A-F]{32}$`).MatchString(*want.LastUpdateLogin) {
			t.Errorf("LastUpdateLogin %q is not 32 hexadecimal characters", *want.LastUpdateLogin)
		}

		// Without a registration for the account there is no RegistrationId, and the request
		// type is the one given or none.
		role = servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Sam), h.UserToken("css-admin"),
			`{"AccountPartyId":300100000000002,"RelationshipTypeCd":"ORA_CSS_USER"}`)), http.StatusCreated)
		if role.RegistrationId != nil || role.RequestTypeCd != nil || role.EmailAddress == nil || *role.CanDeleteFlag != true {
			t.Errorf("sam's role: %s", jsonOf(role))
		}
		// A request type given wins over the registration's.
		role = servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"),
			`{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`)), http.StatusCreated)
		if *role.RequestTypeCd != "B2C" || *role.RegistrationId != 5001 {
			t.Errorf("pat's user role: %s", jsonOf(role))
		}
		// A contact of two accounts: the account the user registered for, and that registration.
		servertest.LoadFixture(t, h.Store, samRegistrations(servertest.Globex))
		role = servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Sam), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)), http.StatusCreated)
		if *role.AccountPartyId != servertest.Globex || role.RegistrationId == nil || *role.RegistrationId != 6001 || *role.RequestTypeCd != "B2C" {
			t.Errorf("sam's manager role: %s", jsonOf(role))
		}
	})
}

func TestCreateSelfServiceRoleUpsert(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		created := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`)), http.StatusCreated)
		upsert := servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-super"), `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`).With("Upsert-Mode", "true")
		rec := h.Do(upsert)
		if rec.Header().Get("Location") != "" {
			t.Errorf("an update has no Location: %q", rec.Header().Get("Location"))
		}
		updated := servertest.DecodeRole(t, rec, http.StatusOK)
		if *updated.RoleId != *created.RoleId || *updated.RequestTypeCd != "B2C" || *updated.CreatedBy != "css-admin" ||
			*updated.LastUpdatedBy != "css-super" || *updated.LastUpdateLogin == *created.LastUpdateLogin {
			t.Errorf("upserted role:\n%s\ncreated as\n%s", jsonOf(updated), jsonOf(created))
		}
		// Without a request type, the upsert keeps it and stamps the who-columns only.
		updated = servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_USER"}`).With("Upsert-Mode", "true")), http.StatusOK)
		if *updated.RequestTypeCd != "B2C" || *updated.LastUpdatedBy != "css-admin" {
			t.Errorf("second upsert: %s", jsonOf(updated))
		}
		if got := h.oracleRoles(); !slices.Equal(got, []string{roleState(1, servertest.Pat, servertest.Acme, "ORA_CSS_USER", "active")}) {
			t.Errorf("roles %v", got)
		}
	})
}
