package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// seedLongHistory is seedRoles, then Kim's access toggled between B2C and B2B 26 times:
// Kim's history (29 entries) is longer than the history's first page.
func seedLongHistory(h *harness) {
	seedRoles(h)
	token := h.UserToken("css-admin")
	for i := range 26 {
		requestType := []string{"B2C", "B2B"}[i%2]
		rec := h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Kim, 3), token, `{"RequestTypeCd":"`+requestType+`"}`))
		servertest.DecodeRole(h.T, rec, http.StatusOK)
	}
}

// TestExpandedHistory: expand=SelfServiceRolesHistory (alone, with the roles, as all, on
// the collection and the item) embeds in each user exactly what the history's own
// collection answers with the same links and onlyData (its first page), and the roles as
// their own collection shows them.
func TestExpandedHistory(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedLongHistory(h)
		viewer := h.UserToken("css-viewer")
		own := func(path, presentation string) (history, roles string) {
			t.Helper()
			rec := h.Do(servertest.ADF(http.MethodGet, path+"/child/SelfServiceRolesHistory"+presentation, viewer, ""))
			history = jsonOf(decodeHistory(t, rec))
			rec = h.Do(servertest.ADF(http.MethodGet, path+"/child/SelfServiceRoles"+presentation, viewer, ""))
			roles = jsonOf(servertest.DecodeRoles(t, rec).Items)
			return history, roles
		}
		for _, tc := range []struct {
			expand       string
			roles        bool
			presentation string // links and onlyData, on both requests
		}{
			{"SelfServiceRolesHistory", false, ""},
			{"SelfServiceRolesHistory", false, "&onlyData=true"},
			{"SelfServiceRolesHistory", false, "&links=self,parent"},
			{"SelfServiceRoles,SelfServiceRolesHistory", true, ""},
			{"%20SelfServiceRolesHistory%20,SelfServiceRoles,", true, ""},
			{"all", true, "&onlyData=true"},
		} {
			t.Run(tc.expand+tc.presentation, func(t *testing.T) {
				rec := h.Do(servertest.ADF(http.MethodGet, usersPath+"?expand="+tc.expand+tc.presentation, viewer, ""))
				users := decodeUsers(t, rec, rec.Code, rec.Body.Bytes())
				if len(users.Items) != 4 {
					t.Fatalf("%d users", len(users.Items))
				}
				// Each item of the collection, and the item on its own.
				var items []gen.SelfServiceUser
				for _, u := range users.Items {
					items = append(items, u)
					rec := h.Do(servertest.ADF(http.MethodGet, fmt.Sprintf("%s/%d?expand=%s%s", usersPath, *u.UserId, tc.expand, tc.presentation), viewer, ""))
					var item gen.SelfServiceUser
					if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &item) != nil {
						t.Fatalf("item %d: %d %s", *u.UserId, rec.Code, rec.Body)
					}
					items = append(items, item)
				}
				counts := map[int64]int32{}
				for _, u := range items {
					path := oracle.SelfServiceUserPath(*u.UserId)
					history, roles := own(path, "?"+strings.TrimPrefix(tc.presentation, "&"))
					if u.SelfServiceRolesHistory == nil {
						t.Fatalf("user %d: no history embedded", *u.UserId)
					}
					if got := jsonOf(u.SelfServiceRolesHistory); got != history {
						t.Errorf("user %d: embedded history\n got %s\nwant %s", *u.UserId, got, history)
					}
					if (u.SelfServiceRoles != nil) != tc.roles {
						t.Errorf("user %d: roles embedded %v, want %v", *u.UserId, u.SelfServiceRoles != nil, tc.roles)
					} else if tc.roles && jsonOf(u.SelfServiceRoles.Items) != roles {
						t.Errorf("user %d: embedded roles\n got %s\nwant %s", *u.UserId, jsonOf(u.SelfServiceRoles.Items), roles)
					}
					counts[*u.UserId] = u.SelfServiceRolesHistory.Count
				}
				// What the histories hold: Lee none, Kim a first page of 25 of 29.
				kim := items[6].SelfServiceRolesHistory
				if counts[servertest.Pat] != 2 || counts[servertest.Sam] != 2 || counts[servertest.Lee] != 0 || kim.Count != 25 || !kim.HasMore || kim.Limit != 25 {
					t.Errorf("counts %v; Kim's hasMore %v limit %d", counts, kim.HasMore, kim.Limit)
				}
				if lee := items[4].SelfServiceRolesHistory; lee.Items == nil || len(lee.Items) != 0 || lee.HasMore {
					t.Errorf("Lee's history: %s", jsonOf(lee))
				}
			})
		}
	})
}

// TestExpandedHistoryETag: a user's entity tag with the history embedded changes with a
// change of the history, and If-None-Match naming it is a 304 until then.
func TestExpandedHistoryETag(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		viewer := h.UserToken("css-viewer")
		get := func(expand, ifNoneMatch string) (int, string) {
			t.Helper()
			r := servertest.ADF(http.MethodGet, usersPath+"/100?expand="+expand, viewer, "")
			if ifNoneMatch != "" {
				r = r.With("If-None-Match", ifNoneMatch)
			}
			rec := h.Do(r)
			return rec.Code, rec.Header().Get("ETag")
		}
		_, plain := get("SelfServiceRoles", "")
		_, tag := get("SelfServiceRolesHistory", "")
		if tag == plain || !userETagForm.MatchString(tag) {
			t.Fatalf("tags %s (roles) and %s (history)", plain, tag)
		}
		if code, again := get("SelfServiceRolesHistory", tag); code != http.StatusNotModified || again != tag {
			t.Errorf("If-None-Match, unchanged: %d %s", code, again)
		}
		// A change of a role: the item embeds the history, not the roles, and its tag
		// changes with the history.
		rec := h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, 1), h.UserToken("css-admin"), `{"RequestTypeCd":"B2C"}`))
		servertest.DecodeRole(t, rec, http.StatusOK)
		if code, changed := get("SelfServiceRolesHistory", tag); code != http.StatusOK || changed == tag {
			t.Errorf("If-None-Match after a change: %d %s (was %s)", code, changed, tag)
		}
	})
}

func TestExpandedHistoryRules(t *testing.T) {
	get := func(login, path string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			var token string
			if login != "" {
				token = h.UserToken(login)
			}
			return servertest.ADF(http.MethodGet, usersPath+path, token, "")
		}
	}
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "history as a viewer", status: 200, request: get("css-viewer", "?expand=SelfServiceRolesHistory")},
		{name: "history as a manager", status: 200, request: get("css-admin", "/100?expand=SelfServiceRolesHistory")},
		{name: "all as a viewer", status: 200, request: get("css-viewer", "?expand=all&limit=2")},
		{name: "history without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "?expand=SelfServiceRolesHistory")},
		{name: "history of an item without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "/100?expand=SelfServiceRolesHistory")},
		{name: "history without a token", status: 401, code: "ADF_REST_AUTHENTICATION_REQUIRED", request: get("", "?expand=SelfServiceRolesHistory")},
		{name: "history of a user that does not exist", status: 404, code: "JBO-25020", path: "UserId", request: get("css-viewer", "/999?expand=SelfServiceRolesHistory")},
		{name: "history and an unknown child", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "expand", request: get("css-viewer", "?expand=SelfServiceRolesHistory,Colour")},
		{name: "history in another case", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "expand", request: get("css-viewer", "?expand=selfServiceRolesHistory")},
		{name: "a child of the history", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "expand", request: get("css-viewer", "/100?expand=SelfServiceRolesHistory.SelfServiceRoles")},
		{name: "ALL in capitals", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "expand", request: get("css-viewer", "?expand=ALL")},
		{name: "history and a bad field", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "fields", request: get("css-viewer", "?expand=SelfServiceRolesHistory&fields=Colour")},
	})
}

// expandFixture adds 25 self-service users (200–224), each with a contact of Acme.
func expandFixture() string {
	var b strings.Builder
	b.WriteString("oracle:\n  contacts:\n")
	for i := range 25 {
		fmt.Fprintf(&b, "    - {partyId: %d, name: Contact %d, partyNumber: CDRM_3%03d, accounts: [%d]}\n", 300100000000300+i, i, i, servertest.Acme)
	}
	b.WriteString("  selfServiceUsers:\n")
	for i := range 25 {
		fmt.Fprintf(&b, "    - {userId: %d, loginId: user%d@example.com, contactPartyId: %d}\n", 200+i, i, 300100000000300+i)
	}
	return b.String()
}

// The histories of a page of users are read in as many statements for 25 users as for one
// (no query per user), and the roles with them.
func TestExpandedHistoryStatements(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, expandFixture())
		token := h.UserToken("css-super")
		for i := range 25 {
			user := int64(200 + i)
			role := h.createRole(user, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
			if i%3 == 0 {
				rec := h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(user, role), token, `{"RequestTypeCd":"B2C"}`))
				servertest.DecodeRole(t, rec, http.StatusOK)
			}
		}
		count := h.StatementsOf(t)
		page := func(limit int, expand string) string {
			return fmt.Sprintf("%s?q=UserId%%3E%%3D200&limit=%d&expand=%s", usersPath, limit, expand)
		}
		// Seal what the writes left pending, so that every request below finds the trail
		// sealed alike.
		count(servertest.ADF(http.MethodGet, page(1, "SelfServiceRolesHistory"), token, ""), http.StatusOK)
		for _, expand := range []string{"SelfServiceRolesHistory", "all"} {
			one := count(servertest.ADF(http.MethodGet, page(1, expand), token, ""), http.StatusOK)
			many := count(servertest.ADF(http.MethodGet, page(25, expand), token, ""), http.StatusOK)
			if len(one) != len(many) {
				t.Errorf("expand=%s: one user %d statements, 25 users %d:\n%s\n---\n%s", expand, len(one), len(many),
					strings.Join(one, "\n"), strings.Join(many, "\n"))
			}
		}
		// Each of the 25 got its history.
		rec := h.Do(servertest.ADF(http.MethodGet, page(25, "SelfServiceRolesHistory")+"&onlyData=true", token, ""))
		for _, u := range decodeUsers(t, rec, rec.Code, rec.Body.Bytes()).Items {
			want := int32(1)
			if (*u.UserId-200)%3 == 0 {
				want = 2
			}
			if u.SelfServiceRolesHistory == nil || u.SelfServiceRolesHistory.Count != want {
				t.Errorf("user %d: history %s, want %d entries", *u.UserId, jsonOf(u.SelfServiceRolesHistory), want)
			}
		}
	})
}

// In a batch, a get of users with the history expanded, after a role write, embeds the
// write's entry: the trail is sealed and read in the batch's transaction.
func TestExpandedHistoryInBatch(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		rec := h.Do(batchAs("css-admin", parts(
			part("new", kimRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			part("kim", "/customerSelfServiceUsers/103?expand=SelfServiceRolesHistory&onlyData=true", "get", ""),
			part("page", "/customerSelfServiceUsers?expand=all&onlyData=true&q=UserId%3E%3D103", "get", ""),
		))(h))
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var body struct {
			Parts []struct {
				Payload json.RawMessage `json:"payload"`
			} `json:"parts"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Parts) != 3 {
			t.Fatalf("%v %s", err, rec.Body)
		}
		var kim gen.SelfServiceUser
		var page gen.SelfServiceUserCollection
		if json.Unmarshal(body.Parts[1].Payload, &kim) != nil || json.Unmarshal(body.Parts[2].Payload, &page) != nil || len(page.Items) != 1 {
			t.Fatalf("payloads %s", rec.Body)
		}
		after := decodeHistory(t, h.Do(servertest.ADF(http.MethodGet, historyPath(servertest.Kim)+"?onlyData=true", h.UserToken("css-viewer"), "")))
		lines := historyLines(after.Items)
		if len(lines) != 4 || !strings.HasPrefix(lines[3], "CREATED 7 ORA_CSS_ACC_MANAGER") {
			t.Fatalf("Kim's history after the batch: %v", lines)
		}
		for name, embedded := range map[string]*gen.SelfServiceRoleHistoryCollection{"item": kim.SelfServiceRolesHistory, "page": page.Items[0].SelfServiceRolesHistory} {
			if embedded == nil || jsonOf(embedded) != jsonOf(after) {
				t.Errorf("%s: embedded %s\nwant %s", name, jsonOf(embedded), jsonOf(after))
			}
		}
	})
}
