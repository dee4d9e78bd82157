package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

const usersPath = oracle.ResourcesPath + "/customerSelfServiceUsers"

func decodeUsers(t *testing.T, rec interface{ Header() http.Header }, code int, body []byte) gen.SelfServiceUserCollection {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("status %d; body %s", code, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.resourcecollection+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var c gen.SelfServiceUserCollection
	decoder := json.NewDecoder(strings.NewReader(string(body)))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// userSummary describes a user item: "UserId:LoginId:account" (account "-" when absent),
// then its embedded roles' ids when expanded.
func userSummary(u gen.SelfServiceUser) string {
	s := "?"
	if u.UserId != nil {
		s = fmt.Sprint(*u.UserId)
	}
	if u.LoginId != nil {
		s += ":" + *u.LoginId
	}
	if u.AccountPartyId != nil {
		s += fmt.Sprintf(":%d", *u.AccountPartyId)
	} else if u.LoginId != nil {
		s += ":-"
	}
	if u.SelfServiceRoles != nil {
		var ids []string
		for _, r := range u.SelfServiceRoles.Items {
			ids = append(ids, fmt.Sprint(*r.RoleId))
		}
		s += " roles[" + strings.Join(ids, ",") + "]"
	}
	return s
}

func TestListSelfServiceUsers(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		token := h.UserToken("css-viewer")
		all := []string{"100:pat@example.com:300100000000001", "101:sam@example.com:-", "102:lee:-", "103:kim@example.com:300100000000001"}
		for _, tc := range []struct {
			query   string
			want    []string
			hasMore bool
			total   *int64
		}{
			{"", all, false, nil},
			{"?limit=2", all[:2], true, nil},
			{"?limit=2&offset=2&totalResults=true", all[2:], false, oracle.PointerTo(int64(4))},
			{"?orderBy=LoginId:desc", []string{all[1], all[0], all[2], all[3]}, false, nil},
			{"?orderBy=AccountPartyId:asc", []string{all[0], all[3], all[1], all[2]}, false, nil},
			{"?orderBy=upper(LoginId)", []string{all[3], all[2], all[0], all[1]}, false, nil},
			{"?expand=SelfServiceRoles", []string{all[0] + " roles[1,2]", all[1] + " roles[4,5]", all[2] + " roles[]", all[3] + " roles[3]"}, false, nil},
			{"?expand=all&limit=1", []string{all[0] + " roles[1,2]"}, true, nil},
		} {
			rec := h.Do(servertest.ADF(http.MethodGet, usersPath+tc.query, token, ""))
			c := decodeUsers(t, rec, rec.Code, rec.Body.Bytes())
			var got []string
			for _, u := range c.Items {
				got = append(got, userSummary(u))
			}
			if !slices.Equal(got, tc.want) || c.HasMore != tc.hasMore || int(c.Count) != len(tc.want) ||
				(tc.total == nil) != (c.TotalResults == nil) || (tc.total != nil && *tc.total != *c.TotalResults) {
				t.Errorf("%s: %v hasMore=%v count=%d total=%v, want %v hasMore=%v", tc.query, got, c.HasMore, c.Count, c.TotalResults, tc.want, tc.hasMore)
			}
		}
	})
}

func TestGetSelfServiceUser(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		rec := h.Do(servertest.ADF(http.MethodGet, "http://crm.example.com"+usersPath+"/100", h.UserToken("css-admin"), ""))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vnd.oracle.adf.resourceitem+json" {
			t.Fatalf("%d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		var got gen.SelfServiceUser
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		self := "http://crm.example.com" + usersPath + "/100"
		tag := rec.Header().Get("ETag")
		if !userETagForm.MatchString(tag) {
			t.Errorf("ETag %q", tag)
		}
		// Who columns: created by the seed, last updated with Pat's latest role write.
		stored := h.StoredUsers()[0]
		var latest store.OracleSelfServiceRole
		for _, r := range h.StoredRoles() {
			if r.UserID == servertest.Pat && r.LastUpdateDate.After(latest.LastUpdateDate) {
				latest = r
			}
		}
		if stored.UserID != servertest.Pat || stored.CreatedBy != store.OracleSeedActor || !stored.LastUpdateDate.Equal(latest.LastUpdateDate) ||
			stored.LastUpdatedBy != "css-super" || !stored.CreationDate.Before(stored.LastUpdateDate) {
			t.Errorf("stored user %+v, Pat's latest role written at %s", stored, latest.LastUpdateDate)
		}
		dateTime := func(at time.Time) *string { return oracle.PointerTo(at.UTC().Format("2006-01-02T15:04:05+00:00")) }
		want := gen.SelfServiceUser{
			AccountPartyId: oracle.PointerTo(servertest.Acme), AccountPartyName: oracle.PointerTo("Acme Corp"), AccountPartyNumber: oracle.PointerTo("CDRM_1001"),
			ContactPartyId: oracle.PointerTo(servertest.PatContact), ContactPartyName: oracle.PointerTo("Pat Doe"), ContactPartyNumber: oracle.PointerTo("CDRM_2001"),
			CreatedBy: oracle.PointerTo("SEED"), CreationDate: dateTime(stored.CreationDate),
			LastUpdateDate: dateTime(latest.LastUpdateDate), LastUpdatedBy: oracle.PointerTo("css-super"),
			EmailAddress: oracle.PointerTo("pat@example.com"), LoginId: oracle.PointerTo("pat@example.com"), UserId: oracle.PointerTo(servertest.Pat),
			Links: &[]gen.AdfLink{
				{Rel: "self", Href: self, Name: "customerSelfServiceUsers", Kind: gen.Item,
					Properties: &gen.AdfLinkProperties{ChangeIndicator: oracle.PointerTo(strings.Trim(tag, `"`))}},
				{Rel: "canonical", Href: self, Name: "customerSelfServiceUsers", Kind: gen.Item},
				{Rel: "child", Href: self + "/child/SelfServiceRoles", Name: "SelfServiceRoles", Kind: gen.Collection},
				{Rel: "child", Href: self + "/child/SelfServiceRolesHistory", Name: "SelfServiceRolesHistory", Kind: gen.Collection},
			},
		}
		if jsonOf(got) != jsonOf(want) {
			t.Errorf("item:\n got %s\nwant %s", jsonOf(got), jsonOf(want))
		}
		// Expanded: the active roles, as the roles' own collection shows them.
		rec = h.Do(servertest.ADF(http.MethodGet, usersPath+"/101?expand=SelfServiceRoles&fields=UserId&onlyData=true", h.UserToken("css-admin"), ""))
		got = gen.SelfServiceUser{}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		roles := servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Sam)+"?onlyData=true", h.UserToken("css-admin"), "")))
		if got.SelfServiceRoles == nil || jsonOf(got.SelfServiceRoles.Items) != jsonOf(roles.Items) || got.Links != nil || got.LoginId != nil {
			t.Errorf("expanded:\n got %s\nwant items %s", jsonOf(got), jsonOf(roles.Items))
		}
	})
}

func TestSelfServiceUsersRules(t *testing.T) {
	get := getAs(usersPath)
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "list as a viewer", status: 200, request: get("css-viewer", "")},
		{name: "list as a manager", status: 200, request: get("css-admin", "")},
		{name: "list without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "")},
		{name: "list without a privilege and a bad parameter", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "?fields=Colour")},
		{name: "list without a token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED", request: get("", "")},
		{name: "item without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "/100")},
		{name: "a user that does not exist", status: 404, code: "JBO-25020", path: "UserId", request: get("css-viewer", "/999")},
		{name: "a UserId that is not one", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "UserId", request: get("css-viewer", "/abc")},
		{name: "a UserId with a leading zero", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "UserId", request: get("css-viewer", "/0100")},
		{name: "an unknown field", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "fields", request: get("css-viewer", "?fields=Colour")},
		{name: "a role attribute as a field", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "fields", request: get("css-viewer", "/100?fields=RoleId")},
		{name: "an unknown sort key", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("css-viewer", "?orderBy=Colour")},
		{name: "a bad direction", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("css-viewer", "?orderBy=UserId:up")},
		{name: "upper() of a number", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "orderBy", request: get("css-viewer", "?orderBy=upper(UserId)")},
		{name: "expand of the history with an unknown child", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "expand", request: get("css-viewer", "?expand=SelfServiceRolesHistory,Colour")},
		{name: "expand of an unknown child", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "expand", request: get("css-viewer", "/100?expand=Colour")},
		{name: "a limit of 0", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "limit", request: get("css-viewer", "?limit=0")},
		{name: "an unknown parameter", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", path: "finder", request: get("css-viewer", "?finder=PrimaryKey")},
		{name: "POST to the users", status: 405, code: "ADF_REST_METHOD_NOT_ALLOWED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, usersPath, h.UserToken("css-admin"), `{"LoginId":"x"}`)
			}},
		{name: "PATCH of a user", status: 405, code: "ADF_REST_METHOD_NOT_ALLOWED",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPatch, usersPath+"/100", h.UserToken("css-admin"), `{"LoginId":"x"}`)
			}},
	})
}

// expand=SelfServiceRoles reads a page's roles with one query, whatever the page's size.
func TestExpandedRolesAreOneQuery(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		count := h.StatementsOf(t)
		token := h.UserToken("css-admin")
		one := count(servertest.ADF(http.MethodGet, usersPath+"?limit=1&expand=SelfServiceRoles", token, ""), http.StatusOK)
		all := count(servertest.ADF(http.MethodGet, usersPath+"?limit=4&expand=SelfServiceRoles", token, ""), http.StatusOK)
		none := count(servertest.ADF(http.MethodGet, usersPath+"?limit=4", token, ""), http.StatusOK)
		if len(one) != len(all) || len(all) > len(none)+2 {
			t.Errorf("one user with roles %d statements, four %d, four without roles %d:\n%q\n%q", len(one), len(all), len(none), one, all)
		}
	})
}

// q on users, through adfq: query-by-example with version 1, rowmatch with 2 and later.
func TestSelfServiceUsersQ(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-viewer")
		for _, tc := range []struct {
			version string
			q       string
			want    []string
		}{
			{"1", "LoginId=kim@example.com", []string{"103"}},
			{"1", "AccountPartyId=300100000000001;UserId=>100", []string{"103"}},
			{"1", "AccountPartyId=IS NULL", []string{"101", "102"}},
			{"4", "UPPER(LoginId) LIKE 'K%' or AccountPartyId IS NULL", []string{"101", "102", "103"}},
			{"4", "ContactPartyName = 'Pat Doe'", []string{"100"}},
			{"4", "EmailAddress IS NULL", []string{"102"}},
			{"4", "LoginId = ''' OR 1=1 --'", nil},
		} {
			rec := h.Do(servertest.ADF(http.MethodGet, usersPath+"?fields=UserId&q="+url.QueryEscape(tc.q), token, "").With("REST-Framework-Version", tc.version))
			c := decodeUsers(t, rec, rec.Code, rec.Body.Bytes())
			var got []string
			for _, u := range c.Items {
				got = append(got, fmt.Sprint(*u.UserId))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("v%s q=%s: %v, want %v", tc.version, tc.q, got, tc.want)
			}
		}
	})
}

func TestSelfServiceUsersQRules(t *testing.T) {
	get := func(version, q string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			return servertest.ADF(http.MethodGet, usersPath+"?q="+url.QueryEscape(q), h.UserToken("css-viewer"), "").With("REST-Framework-Version", version)
		}
	}
	runOracleCases(t, nil, []oracleCase{
		{name: "a role attribute", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "q", request: get("4", "RoleId = 1")},
		{name: "text for a number", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "q", request: get("4", "UserId = 'x'")},
		{name: "an injection", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "q", request: get("4", "LoginId = 'x' OR 1=1 --")},
		// Version 1 answers errors as text: the status only.
		{name: "a statement after", status: 400, request: get("1", "UserId=1;DROP TABLE users")},
		{name: "rowmatch with version 1", status: 400, request: get("1", "UserId > 1 and LoginId = 'x'")},
	})
}
