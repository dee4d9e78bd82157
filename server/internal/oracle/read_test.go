package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// listAccounts are the accounts of sam's contact in the listing fixture: Acme, Globex and
// twelve more, the last named oddAccountName.
var listAccounts = func() []int64 {
	accounts := []int64{servertest.Acme, servertest.Globex}
	for i := range 12 {
		accounts = append(accounts, 300100000001000+int64(i))
	}
	return accounts
}()

// oddAccountName holds what q must be able to quote: a quote and a semicolon.
const oddAccountName = "O'Brien; Sons"

// listFixture gives sam's contact the listAccounts.
func listFixture() string {
	var b strings.Builder
	b.WriteString("oracle:\n  accounts:\n")
	for i, id := range listAccounts[2:] {
		name := fmt.Sprintf("Account %d", id%1000)
		if i == len(listAccounts)-3 {
			name = oddAccountName
		}
		fmt.Fprintf(&b, "    - {partyId: %d, name: %q, partyNumber: CDRM_%d}\n", id, name, id%100000)
	}
	fmt.Fprintf(&b, "  contacts:\n    - {partyId: %d, name: Sam Roe, partyNumber: CDRM_2002, email: sam@example.com, accounts: %s}\n",
		servertest.SamContact, strings.ReplaceAll(fmt.Sprint(listAccounts), " ", ", "))
	return b.String()
}

// seedListRoles stores, in this order: 1 pat's user role on Acme; 2–15 sam's user roles on
// listAccounts; 16–29 sam's administrator roles on listAccounts; 30 sam's manager role on
// the third account, ended.
func seedListRoles(h *harness) {
	h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
	for _, relationshipType := range []string{"ORA_CSS_USER", "ORA_CSS_ACC_ADMIN"} {
		for _, account := range listAccounts {
			h.createRole(servertest.Sam, fmt.Sprintf(`{"AccountPartyId":%d,"RelationshipTypeCd":%q}`, account, relationshipType))
		}
	}
	ended := h.createRole(servertest.Sam, fmt.Sprintf(`{"AccountPartyId":%d,"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`, listAccounts[2]))
	if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Sam, ended), h.UserToken("css-admin"), "")); rec.Code != http.StatusNoContent {
		h.T.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
}

// idsFrom lists the ids from first to last.
func idsFrom(first, last int64) []int64 {
	var ids []int64
	for id := first; id <= last; id++ {
		ids = append(ids, id)
	}
	return ids
}

func roleIDs(c gen.SelfServiceRoleCollection) []int64 {
	ids := make([]int64, len(c.Items))
	for i, item := range c.Items {
		ids[i] = *item.RoleId
	}
	return ids
}

// itemKeys lists, sorted, the members of each item of a raw collection.
func itemKeys(t *testing.T, body []byte) [][]string {
	t.Helper()
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	keys := make([][]string, len(raw.Items))
	for i, item := range raw.Items {
		for k := range item {
			keys[i] = append(keys[i], k)
		}
		sort.Strings(keys[i])
	}
	return keys
}

// A read case: a GET on the listing data and what it must answer.
type readCase struct {
	name   string
	login  string // css-super when empty
	path   string
	status int
	code   string
	at     string // o:errorPath
	// version is the REST-Framework-Version sent; servertest.ADF's 4 when empty.
	version string
	// ids are the RoleIds of a collection, in order; check inspects any response further.
	ids   []int64
	check func(t *testing.T, body []byte)
}

// runReadCases runs read-only requests against one database per dialect loaded with the
// listing data.
func runReadCases(t *testing.T, cases []readCase) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, listFixture())
		seedListRoles(h)
		before := h.fullRoleStates()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				login := tc.login
				if login == "" {
					login = "css-super"
				}
				var token string
				if login != "-" {
					token = h.UserToken(login)
				}
				request := servertest.ADF(http.MethodGet, tc.path, token, "")
				if tc.version != "" {
					request = request.With("REST-Framework-Version", tc.version)
				}
				rec := h.Do(request)
				body := rec.Body.Bytes()
				switch {
				case tc.code != "":
					if got := servertest.ErrorPath(servertest.ADFErrorOf(t, rec, tc.status, tc.code)); got != tc.at {
						t.Errorf("o:errorPath %q, want %q", got, tc.at)
					}
				case tc.ids != nil:
					if got := roleIDs(servertest.DecodeRoles(t, rec)); !slices.Equal(got, tc.ids) {
						t.Errorf("RoleIds %v, want %v", got, tc.ids)
					}
				case rec.Code != max(tc.status, http.StatusOK):
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
				}
				if tc.check != nil {
					tc.check(t, body)
				}
			})
		}
		if after := h.fullRoleStates(); !slices.Equal(after, before) {
			t.Fatalf("reading changed the roles: %v", after)
		}
	})
}

func collectionOf(t *testing.T, body []byte) gen.SelfServiceRoleCollection {
	t.Helper()
	var c gen.SelfServiceRoleCollection
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// paging checks a collection's paging members.
func paging(count, limit, offset int32, hasMore bool, totalResults *int64) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		c := collectionOf(t, body)
		if c.Count != count || c.Limit != limit || c.Offset != offset || c.HasMore != hasMore ||
			(c.TotalResults == nil) != (totalResults == nil) || (totalResults != nil && *c.TotalResults != *totalResults) {
			t.Errorf("count %d limit %d offset %d hasMore %v totalResults %v; want %d %d %d %v %v",
				c.Count, c.Limit, c.Offset, c.HasMore, c.TotalResults, count, limit, offset, hasMore, totalResults)
		}
	}
}

func TestListSelfServiceRoles(t *testing.T) {
	samRoles := servertest.RolesPath(servertest.Sam)
	active := idsFrom(2, 29)
	accountThenTypeDesc := []int64{}
	for i := range int64(14) {
		accountThenTypeDesc = append(accountThenTypeDesc, 2+i, 16+i)
	}
	runReadCases(t, []readCase{
		{name: "first page by default: 25 of 28 active roles", path: samRoles, ids: idsFrom(2, 26),
			check: paging(25, 25, 0, true, nil)},
		{name: "last page", path: samRoles + "?offset=25", ids: idsFrom(27, 29), check: paging(3, 25, 25, false, nil)},
		{name: "limit and offset", path: samRoles + "?limit=5&offset=5", ids: idsFrom(7, 11), check: paging(5, 5, 5, true, nil)},
		{name: "offset past the end", path: samRoles + "?offset=100", ids: []int64{}, check: paging(0, 25, 100, false, nil)},
		{name: "limit above 500 is served as 500", path: samRoles + "?limit=1000", ids: active, check: paging(28, 500, 0, false, nil)},
		{name: "totalResults", path: samRoles + "?limit=2&totalResults=true", ids: []int64{2, 3},
			check: paging(2, 2, 0, true, oracle.PointerTo(int64(28)))},
		{name: "totalResults=false", path: samRoles + "?limit=2&totalResults=false", ids: []int64{2, 3}, check: paging(2, 2, 0, true, nil)},
		{name: "q on the relationship type", version: "1", path: samRoles + "?limit=500&q=RelationshipTypeCd=ORA_CSS_ACC_ADMIN", ids: idsFrom(16, 29)},
		{name: "q with two terms, one quoted", version: "1", path: samRoles + "?q=AccountPartyId=300100000000002;RelationshipTypeCd='ORA_CSS_USER'", ids: []int64{3}},
		{name: "q on RoleId", version: "1", path: samRoles + "?q=RoleId=16", ids: []int64{16}},
		{name: "q with spaces and double quotes", version: "1", path: samRoles + "?limit=500&q=" + queryEscape(`LoginId = "sam@example.com"`), ids: active},
		{name: "q counted by totalResults", version: "1", path: samRoles + "?limit=1&totalResults=true&q=RelationshipTypeCd=ORA_CSS_ACC_ADMIN", ids: []int64{16},
			check: paging(1, 1, 0, true, oracle.PointerTo(int64(14)))},
		{name: "q on a name", version: "1", path: samRoles + "?q=" + queryEscape("AccountPartyName='Acme Corp'"), ids: []int64{2, 16}},
		{name: "q with a quote doubled and a semicolon inside a quoted value", version: "1", path: samRoles + "?q=" + queryEscape("AccountPartyName='O''Brien; Sons'"), ids: []int64{15, 29}},
		{name: "q with a semicolon inside a double-quoted value, then another term", version: "1", path: samRoles + "?q=" + queryEscape(`AccountPartyName="O'Brien; Sons";RelationshipTypeCd=ORA_CSS_USER`), ids: []int64{15}},
		{name: "q with raw semicolons inside and between quoted values", version: "1", path: samRoles + "?q=RelationshipTypeCd='ORA_CSS_ACC_ADMIN';AccountPartyName=" + queryEscape("'O''Brien; Sons'"), ids: []int64{29}},
		{name: "q with a quoted number", version: "1", path: samRoles + "?q=RoleId='16'", ids: []int64{16}},
		{name: "q matching nothing", version: "1", path: samRoles + "?q=RelationshipTypeCd=ORA_CSS_ACC_MANAGER", ids: []int64{}},
		{name: "an ended role is not active", version: "1", path: samRoles + "?q=RoleId=30", ids: []int64{}},
		{name: "AllRolesFinder includes ended roles", path: samRoles + "?limit=500&finder=AllRolesFinder", ids: idsFrom(2, 30)},
		{name: "AllRolesFinder with q", version: "1", path: samRoles + "?finder=AllRolesFinder&q=RoleId=30", ids: []int64{30}},
		{name: "PrimaryKey finder finds an ended role", path: samRoles + "?finder=" + queryEscape("PrimaryKey;RoleId=30"), ids: []int64{30}},
		{name: "PrimaryKey finder with a raw semicolon", path: samRoles + "?finder=PrimaryKey;RoleId=16&onlyData=true", ids: []int64{16}},
		{name: "PrimaryKey finder among the user's roles only", path: samRoles + "?finder=" + queryEscape("PrimaryKey;RoleId=1"), ids: []int64{}},
		{name: "orderBy descending", path: samRoles + "?orderBy=RoleId:desc&limit=3", ids: []int64{29, 28, 27}},
		{name: "orderBy two keys", path: samRoles + "?limit=500&orderBy=AccountPartyId:asc,RelationshipTypeCd:desc", ids: accountThenTypeDesc},
		{name: "orderBy without direction is ascending", path: samRoles + "?limit=3&orderBy=RelationshipTypeCd", ids: []int64{16, 17, 18}},
		{name: "orderBy an absent value: RoleId breaks the tie", path: samRoles + "?limit=3&orderBy=RequestTypeCd:desc", ids: []int64{2, 3, 4}},
		{name: "orderBy a date", path: samRoles + "?limit=2&orderBy=CreationDate:desc", status: 200},
		{name: "fields", path: samRoles + "?limit=1&fields=RoleId,RelationshipTypeCd",
			check: func(t *testing.T, body []byte) {
				if got := itemKeys(t, body); !slices.Equal(got[0], []string{"RelationshipTypeCd", "RoleId", "links"}) {
					t.Errorf("item members %v", got)
				}
			}},
		{name: "fields naming an attribute without a value", path: samRoles + "?limit=1&fields=RoleId,EndDate&onlyData=true",
			check: func(t *testing.T, body []byte) {
				if got := itemKeys(t, body); !slices.Equal(got[0], []string{"RoleId"}) {
					t.Errorf("item members %v", got)
				}
			}},
		{name: "onlyData drops every link", path: samRoles + "?limit=1&onlyData=true",
			check: func(t *testing.T, body []byte) {
				c := collectionOf(t, body)
				if c.Links != nil || c.Items[0].Links != nil || c.Items[0].RoleId == nil {
					t.Errorf("links left: %s", body)
				}
			}},
		{name: "links keeps the relations named", path: samRoles + "?limit=1&links=canonical",
			check: func(t *testing.T, body []byte) {
				c := collectionOf(t, body)
				if c.Links == nil || len(*c.Links) != 0 || len(*c.Items[0].Links) != 1 || (*c.Items[0].Links)[0].Rel != "canonical" {
					t.Errorf("links: %s", body)
				}
			}},
		{name: "collection links", path: samRoles + "?limit=1",
			check: func(t *testing.T, body []byte) {
				c := collectionOf(t, body)
				want := []gen.AdfLink{{Rel: "self", Href: "http://example.com" + samRoles, Name: "SelfServiceRoles", Kind: gen.Collection}}
				if c.Links == nil || !slices.Equal(*c.Links, want) {
					t.Errorf("collection links %v", c.Links)
				}
			}},
		{name: "expand=all has nothing to expand", path: samRoles + "?limit=1&expand=all", ids: []int64{2}},
		// Sam is Acme's only administrator (16): removing sam's access (2) would end it too.
		{name: "flags for a manager without the last-administrator privilege", login: "css-admin", version: "1", path: samRoles + "?limit=500&q=AccountPartyId=300100000000001",
			check: flags(map[int64][2]bool{2: {true, false}, 16: {true, false}})},
		{name: "flags for a manager with the last-administrator privilege", version: "1", path: samRoles + "?limit=500&q=AccountPartyId=300100000000001",
			check: flags(map[int64][2]bool{2: {true, true}, 16: {true, true}})},
		{name: "flags for a viewer", login: "css-viewer", version: "1", path: samRoles + "?limit=500&q=AccountPartyId=300100000000001",
			check: flags(map[int64][2]bool{2: {false, false}, 16: {false, false}})},
		{name: "flags of an ended role", version: "1", path: samRoles + "?finder=AllRolesFinder&q=RoleId=30", check: flags(map[int64][2]bool{30: {false, false}})},
		{name: "another user's roles", path: servertest.RolesPath(servertest.Pat), ids: []int64{1}},
		{name: "a user without roles", path: servertest.RolesPath(servertest.Kim), ids: []int64{}, check: paging(0, 25, 0, false, nil)},
	})
}

// flags checks CanUpdateFlag and CanDeleteFlag per RoleId.
func flags(want map[int64][2]bool) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		c := collectionOf(t, body)
		if len(c.Items) != len(want) {
			t.Fatalf("%d items, want %d", len(c.Items), len(want))
		}
		for _, item := range c.Items {
			if got := [2]bool{*item.CanUpdateFlag, *item.CanDeleteFlag}; got != want[*item.RoleId] {
				t.Errorf("role %d: CanUpdateFlag, CanDeleteFlag = %v, want %v", *item.RoleId, got, want[*item.RoleId])
			}
		}
	}
}

func queryEscape(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "'", "%27", ";", "%3B", "=", "%3D").Replace(s)
}

// qDetail is the detail of an ADF error body.
func qDetail(t *testing.T, body []byte) string {
	t.Helper()
	var envelope struct {
		Details []gen.AdfErrorDetail `json:"o:errorDetails"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil || len(envelope.Details) != 1 {
		t.Fatalf("not one ADF error detail (%v): %s", err, body)
	}
	return envelope.Details[0].Detail
}

func TestListSelfServiceRolesRefusals(t *testing.T) {
	samRoles := servertest.RolesPath(servertest.Sam)
	invalid := func(name, query, parameter string) readCase {
		return readCase{name: name, path: samRoles + "?" + query, status: 400, code: "ADF_REST_INVALID_PARAMETER", at: parameter}
	}
	invalidQ := func(name, version, q, at string) readCase {
		token, _, _ := strings.Cut(at, " ")
		return qRefusal(name, version, q, at, token)
	}
	runReadCases(t, []readCase{
		invalid("fields naming an unknown attribute", "fields=RoleId,Colour", "fields"),
		invalid("fields naming links", "fields=links", "fields"),
		invalid("q on an unknown attribute", "q=Colour=red", "q"),
		invalid("q without a value", "q=RoleId", "q"),
		invalid("q on a flag", "q="+queryEscape("CanDeleteFlag=true"), "q"),
		invalid("q with a number that is not", "q="+queryEscape("RoleId=abc"), "q"),
		// Query-by-example refuses what it does not understand instead of reading it as part
		// of a value.
		invalidQ("q v1 with a rowmatch expression", "1", "RoleId = 5 and AccountPartyId = 7", "and AccountPartyId"),
		invalidQ("q v1 with a second condition after a quoted text value", "1", "RelationshipTypeCd='ORA_CSS_USER' and AccountPartyId=1", "and AccountPartyId"),
		invalidQ("q v1 with or between quoted text values", "1", "RelationshipTypeCd='ORA_CSS_USER' or RelationshipTypeCd='ORA_CSS_ACC_ADMIN'", "or RelationshipTypeCd"),
		invalidQ("q v1 with a second condition after an unquoted text value", "1", "RelationshipTypeCd=ORA_CSS_USER and AccountPartyId=1", "and AccountPartyId"),
		invalidQ("q v1 with a second condition after a quoted number", "1", "RoleId='16' and AccountPartyId=1", "and AccountPartyId"),
		invalidQ("q v1 with an unquoted text value holding a space", "1", "AccountPartyName=Acme Corp", "Corp"),
		invalidQ("q v1 with an unquoted text value holding a quote", "1", "RelationshipTypeCd=ORA'CSS'", "'CSS'"),
		invalidQ("q v1 with a quote not doubled inside a quoted value", "1", "AccountPartyName='O'Brien; Sons'", "Brien"),
		invalidQ("q v1 with text right after a quoted value", "1", "RelationshipTypeCd='ORA_CSS_USER'X", "X"),
		invalidQ("q v1 with an empty value", "1", "RelationshipTypeCd=", ""),
		invalid("orderBy an unknown attribute", "orderBy=Colour", "orderBy"),
		invalid("orderBy an unknown direction", "orderBy=RoleId:up", "orderBy"),
		invalid("orderBy a flag", "orderBy=CanUpdateFlag", "orderBy"),
		invalid("unknown finder", "finder=Nope", "finder"),
		invalid("PrimaryKey finder without RoleId", "finder=PrimaryKey", "finder"),
		invalid("PrimaryKey finder with a RoleId that is no number", "finder="+queryEscape("PrimaryKey;RoleId=x"), "finder"),
		invalid("AllRolesFinder with a bind variable", "finder="+queryEscape("AllRolesFinder;x=1"), "finder"),
		invalid("expand of a child that does not exist", "expand=Children", "expand"),
		invalid("limit 0", "limit=0", "limit"),
		invalid("limit not a number", "limit=ten", "limit"),
		invalid("negative offset", "offset=-1", "offset"),
		invalid("totalResults neither true nor false", "totalResults=maybe", "totalResults"),
		invalid("onlyData neither true nor false", "onlyData=1x", "onlyData"),
		{name: "unsupported query parameter", path: samRoles + "?colour=red&limit=1", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", at: "colour"},
		{name: "self-service user does not exist", path: servertest.RolesPath(999), status: 404, code: "JBO-25020", at: "UserId"},
		{name: "caller without privilege", login: "css-none", path: samRoles, status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		// The privilege is checked before anything else the request may have wrong.
		{name: "caller without privilege, with a q not understood", login: "css-none", path: samRoles + "?q=" + queryEscape("RoleId >"), status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "caller without privilege, with fields naming an unknown attribute", login: "css-none", path: samRoles + "?fields=Colour", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "caller without privilege, with an unknown finder", login: "css-none", path: samRoles + "?finder=Nope&orderBy=Colour", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "caller without privilege, for a user that does not exist", login: "css-none", path: servertest.RolesPath(999) + "?expand=Children", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "no token", login: "-", path: samRoles, status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED"},
		{name: "caller with the view privilege", login: "css-viewer", path: samRoles + "?limit=1", ids: []int64{2}},
	})
}

// Every order is the one asked for, RoleId ascending breaking ties and absent values
// last, whatever order the rows are stored in; and pages walked one after the other cover
// it once.
func TestListSelfServiceRolesOrderAndPages(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, listFixture())
		seedListRoles(h)
		// Some roles get a request type, so present and absent values mix; updating them also
		// moves their rows on PostgreSQL, so storage order is not RoleId order.
		for _, id := range []int64{9, 3, 20, 27, 14} {
			if rec := h.Do(patchAs("css-admin", servertest.Sam, id, `{"RequestTypeCd":"B2C"}`)(h)); rec.Code != http.StatusOK {
				t.Fatalf("patch %d: %d %s", id, rec.Code, rec.Body)
			}
		}
		token := h.UserToken("css-viewer")
		var all []map[string]any
		var raw struct{ Items []map[string]any }
		if err := json.Unmarshal(h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Sam)+"?limit=500", token, "")).Body.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		all = raw.Items
		for _, orderBy := range []string{"", "RelationshipTypeCd:desc", "RequestTypeCd", "RequestTypeCd:desc",
			"AccountPartyName:desc,RelationshipTypeCd", "StartDate", "RelationshipTypeCd,RequestTypeCd:desc"} {
			want := expectedOrder(all, orderBy)
			got := roleIDs(servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Sam)+"?limit=500&orderBy="+orderBy, token, ""))))
			if !slices.Equal(got, want) {
				t.Errorf("orderBy %q: %v, want %v", orderBy, got, want)
			}
			var walked []int64
			for offset := 0; ; offset += 4 {
				page := servertest.DecodeRoles(t, h.Do(servertest.ADF(http.MethodGet, fmt.Sprintf("%s?limit=4&offset=%d&orderBy=%s", servertest.RolesPath(servertest.Sam), offset, orderBy), token, "")))
				walked = append(walked, roleIDs(page)...)
				if !page.HasMore {
					break
				}
			}
			if !slices.Equal(walked, want) {
				t.Errorf("orderBy %q: pages gave %v, want %v", orderBy, walked, want)
			}
		}
	})
}

// expectedOrder sorts items as orderBy asks, absent values last, then by RoleId.
func expectedOrder(items []map[string]any, orderBy string) []int64 {
	sorted := slices.Clone(items)
	var keys [][2]string
	if orderBy != "" {
		for _, key := range strings.Split(orderBy, ",") {
			name, direction, _ := strings.Cut(key, ":")
			keys = append(keys, [2]string{name, direction})
		}
	}
	slices.SortStableFunc(sorted, func(a, b map[string]any) int {
		for _, key := range keys {
			va, oka := a[key[0]]
			vb, okb := b[key[0]]
			switch {
			case !oka && !okb:
				continue
			case !oka:
				return 1
			case !okb:
				return -1
			}
			c := strings.Compare(fmt.Sprint(va), fmt.Sprint(vb))
			if key[1] == "desc" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return int(a["RoleId"].(float64) - b["RoleId"].(float64))
	})
	ids := make([]int64, len(sorted))
	for i, item := range sorted {
		ids[i] = int64(item["RoleId"].(float64))
	}
	return ids
}

func TestGetSelfServiceRole(t *testing.T) {
	today := time.Now().UTC().Format(time.DateOnly)
	role := func(t *testing.T, body []byte) gen.SelfServiceRole {
		var r gen.SelfServiceRole
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	runReadCases(t, []readCase{
		{name: "an active role", path: servertest.RolePath(servertest.Sam, 16), status: 200,
			check: func(t *testing.T, body []byte) {
				r := role(t, body)
				if *r.RoleId != 16 || *r.RelationshipTypeCd != "ORA_CSS_ACC_ADMIN" || r.EndDate != nil || *r.CanUpdateFlag != true ||
					*r.CanDeleteFlag != true || len(*r.Links) != 5 || *r.AccountPartyId != servertest.Acme || *r.LoginId != "sam@example.com" {
					t.Errorf("role %s", body)
				}
			}},
		{name: "an ended role", path: servertest.RolePath(servertest.Sam, 30), status: 200,
			check: func(t *testing.T, body []byte) {
				r := role(t, body)
				if r.EndDate == nil || *r.EndDate != today || *r.CanUpdateFlag || *r.CanDeleteFlag || *r.RoleValue != "Account Manager" {
					t.Errorf("ended role %s", body)
				}
			}},
		{name: "as a viewer", login: "css-viewer", path: servertest.RolePath(servertest.Sam, 2), status: 200,
			check: func(t *testing.T, body []byte) {
				if r := role(t, body); *r.CanUpdateFlag || *r.CanDeleteFlag {
					t.Errorf("viewer's flags %s", body)
				}
			}},
		{name: "the last administrator, for a manager without the privilege", login: "css-admin", path: servertest.RolePath(servertest.Sam, 16), status: 200,
			check: func(t *testing.T, body []byte) {
				if r := role(t, body); !*r.CanUpdateFlag || *r.CanDeleteFlag {
					t.Errorf("flags %s", body)
				}
			}},
		{name: "fields and onlyData", path: servertest.RolePath(servertest.Sam, 2) + "?fields=RoleId,EndDate,RoleValue&onlyData=true", status: 200,
			check: func(t *testing.T, body []byte) {
				if got := strings.TrimSpace(string(body)); got != `{"RoleId":2,"RoleValue":"User"}` {
					t.Errorf("item %s", got)
				}
			}},
		{name: "links", path: servertest.RolePath(servertest.Sam, 2) + "?links=parent,self", status: 200,
			check: func(t *testing.T, body []byte) {
				r := role(t, body)
				if len(*r.Links) != 2 || (*r.Links)[0].Rel != "self" || (*r.Links)[1].Href != "http://example.com"+oracle.SelfServiceUserPath(servertest.Sam) {
					t.Errorf("links %v", *r.Links)
				}
			}},
		{name: "expand=all", path: servertest.RolePath(servertest.Sam, 2) + "?expand=all", status: 200},
		{name: "a role of another user", path: servertest.RolePath(servertest.Sam, 1), status: 404, code: "JBO-25020", at: "RoleId"},
		{name: "a role that does not exist", path: servertest.RolePath(servertest.Sam, 999), status: 404, code: "JBO-25020", at: "RoleId"},
		{name: "a user that does not exist", path: servertest.RolePath(999, 2), status: 404, code: "JBO-25020", at: "UserId"},
		{name: "caller without privilege", login: "css-none", path: servertest.RolePath(servertest.Sam, 2), status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		// The privilege is checked before anything else the request may have wrong.
		{name: "caller without privilege, with fields naming an unknown attribute", login: "css-none", path: servertest.RolePath(servertest.Sam, 2) + "?fields=Colour", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "caller without privilege, with an expand of a child that does not exist", login: "css-none", path: servertest.RolePath(servertest.Sam, 2) + "?expand=Children", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "caller without privilege, for a role that does not exist", login: "css-none", path: servertest.RolePath(999, 999), status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED"},
		{name: "fields naming an unknown attribute", path: servertest.RolePath(servertest.Sam, 2) + "?fields=Colour", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "fields"},
		{name: "expand of a child that does not exist", path: servertest.RolePath(servertest.Sam, 2) + "?expand=Children", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "expand"},
		{name: "q is a collection parameter", path: servertest.RolePath(servertest.Sam, 2) + "?q=RoleId=2", status: 400, code: "ADF_REST_UNKNOWN_QUERY_PARAMETER", at: "q"},
		{name: "role id not a number", path: servertest.RolesPath(servertest.Sam) + "/two", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "RoleId"},
		// Ids are written one way only: "+101" and "0101" are not user 101.
		{name: "user id with a plus sign", path: "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/+101/child/SelfServiceRoles/2", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "UserId"},
		{name: "user id with a percent-encoded plus sign", path: "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/%2B101/child/SelfServiceRoles/2", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "UserId"},
		{name: "user id with a leading zero", path: "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/0101/child/SelfServiceRoles/2", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "UserId"},
		{name: "role id with a plus sign", path: servertest.RolesPath(servertest.Sam) + "/+2", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "RoleId"},
		{name: "role id with leading zeros", path: servertest.RolesPath(servertest.Sam) + "/002", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "RoleId"},
		{name: "role id minus zero", path: servertest.RolesPath(servertest.Sam) + "/-0", status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "RoleId"},
	})
}
