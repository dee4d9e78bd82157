package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/oracle"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

func historyPath(userID int64) string {
	return oracle.SelfServiceUserPath(userID) + "/child/SelfServiceRolesHistory"
}

// decodeHistory decodes a history collection, checking status and media type.
func decodeHistory(t testing.TB, rec *httptest.ResponseRecorder) gen.SelfServiceRoleHistoryCollection {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d; body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oracle.adf.resourcecollection+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var collection gen.SelfServiceRoleHistoryCollection
	decoder := json.NewDecoder(rec.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&collection); err != nil {
		t.Fatalf("collection: %v", err)
	}
	return collection
}

// historyLine is an entry in short: "ACTION role type account end changed by".
func historyLine(e gen.SelfServiceRoleHistory) string {
	str := func(s *string) string {
		if s == nil {
			return "-"
		}
		return *s
	}
	num := func(n *int64) string {
		if n == nil {
			return "-"
		}
		return fmt.Sprint(*n)
	}
	end := "active"
	if e.EndDate != nil {
		end = "ended"
	}
	return fmt.Sprintf("%s %s %s %s %s %s [%s] by %s", str(e.ActionCode), num(e.RoleId), str(e.RelationshipTypeCd),
		num(e.AccountPartyId), str(e.RequestTypeCd), end, str(e.ChangedAttributes), str(e.CreatedBy))
}

func historyLines(items []gen.SelfServiceRoleHistory) []string {
	lines := make([]string, len(items))
	for i, e := range items {
		lines[i] = historyLine(e)
	}
	return lines
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// TestSelfServiceRolesHistory: every role write of a user, and only the successful ones,
// makes an entry, which shows the role as it was right after the change; the collection
// pages, sorts and cuts fields like the roles; refusals are the roles' refusals.
func TestSelfServiceRolesHistory(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		super, admin, viewer := h.UserToken("css-super"), h.UserToken("css-admin"), h.UserToken("css-viewer")
		list := func(token, query string) gen.SelfServiceRoleHistoryCollection {
			t.Helper()
			return decodeHistory(t, h.Do(servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+query, token, "")))
		}
		if got := list(viewer, ""); got.Count != 0 || len(got.Items) != 0 || got.HasMore {
			t.Fatalf("history before any change: %+v", got)
		}

		access := h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
		rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), admin, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`))
		manager := *servertest.DecodeRole(t, rec, http.StatusCreated).RoleId
		created := []string{
			fmt.Sprintf("CREATED %d ORA_CSS_USER %d B2B active [AccountPartyId,RegistrationId,RelationshipTypeCd,RequestTypeCd,StartDate,UserId] by css-super", access, servertest.Acme),
			fmt.Sprintf("CREATED %d ORA_CSS_ACC_MANAGER %d B2B active [AccountPartyId,RegistrationId,RelationshipTypeCd,RequestTypeCd,StartDate,UserId] by css-admin", manager, servertest.Acme),
		}
		// Visible at once: the readers seal the trail.
		equalLines(t, "after two grants", historyLines(list(viewer, "").Items), created)

		rec = h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, manager), admin, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN","RequestTypeCd":"B2C"}`))
		servertest.DecodeRole(t, rec, http.StatusOK)
		updated := fmt.Sprintf("UPDATED %d ORA_CSS_ACC_ADMIN %d B2C active [RelationshipTypeCd,RequestTypeCd] by css-admin", manager, servertest.Acme)
		// The grant's entry still shows the role as granted.
		equalLines(t, "after the update", historyLines(list(viewer, "").Items), append(created[:2:2], updated))

		// Refused writes leave no entry: a duplicate, a viewer's write, a bad code, an
		// unknown role, the last administrator without the privilege.
		for _, refused := range []struct {
			request servertest.Request
			status  int
		}{
			{servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), super, `{"RelationshipTypeCd":"ORA_CSS_USER"}`), 400},
			{servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), viewer, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`), 403},
			{servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), super, `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`), 400},
			{servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, 999999), super, `{"RequestTypeCd":"B2B"}`), 404},
			{servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Pat, manager), admin, ``), 400},
			{servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Pat, access), admin, ``), 400},
		} {
			if rec := h.Do(refused.request); rec.Code != refused.status {
				t.Errorf("%s %s: status %d, want %d: %s", refused.request.Method, refused.request.Path, rec.Code, refused.status, rec.Body)
			}
		}
		equalLines(t, "after refused writes", historyLines(list(viewer, "").Items), append(created[:2:2], updated))

		// Removing the self-service access ends the administrator role too: two entries.
		rec = h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Pat, access), super, ""))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		all := append(created[:2:2], updated,
			fmt.Sprintf("ENDED %d ORA_CSS_USER %d B2B ended [EndDate] by css-super", access, servertest.Acme),
			fmt.Sprintf("ENDED %d ORA_CSS_ACC_ADMIN %d B2C ended [EndDate] by css-super", manager, servertest.Acme))
		full := list(viewer, "?totalResults=true")
		equalLines(t, "after the removal", historyLines(full.Items), all)
		if full.TotalResults == nil || *full.TotalResults != 5 || full.Count != 5 || full.HasMore || full.Limit != 25 || full.Offset != 0 {
			t.Errorf("collection: total %v count %d hasMore %v limit %d offset %d", full.TotalResults, full.Count, full.HasMore, full.Limit, full.Offset)
		}
		ended := full.Items[3:]
		if *ended[0].HistoryId == *ended[1].HistoryId || strings.Split(*ended[0].HistoryId, "-")[0] != strings.Split(*ended[1].HistoryId, "-")[0] {
			t.Errorf("the cascade's entries %s and %s: distinct ids of one event wanted", *ended[0].HistoryId, *ended[1].HistoryId)
		}
		for _, e := range full.Items {
			if e.CreationDate == nil || e.StartDate == nil || *e.UserId != servertest.Pat || e.Links == nil || len(*e.Links) != 5 {
				t.Errorf("entry %s: %+v", *e.HistoryId, e)
			}
		}

		// Paging.
		page := list(viewer, "?limit=2&offset=1&totalResults=true")
		equalLines(t, "limit=2&offset=1", historyLines(page.Items), all[1:3])
		if !page.HasMore || page.Count != 2 || page.Limit != 2 || page.Offset != 1 || *page.TotalResults != 5 {
			t.Errorf("page: %+v", page)
		}
		page = list(viewer, "?limit=2&offset=4")
		equalLines(t, "limit=2&offset=4", historyLines(page.Items), all[4:])
		if page.HasMore || page.Count != 1 || page.TotalResults != nil {
			t.Errorf("last page: %+v", page)
		}
		if page = list(viewer, "?offset=10"); page.Count != 0 || page.HasMore {
			t.Errorf("beyond the end: %+v", page)
		}

		// Sorting, fields, links.
		equalLines(t, "orderBy=HistoryId:desc", historyLines(list(viewer, "?orderBy=HistoryId:desc").Items),
			[]string{all[4], all[3], all[2], all[1], all[0]})
		equalLines(t, "orderBy=ActionCode,RoleId:desc", historyLines(list(viewer, "?orderBy=ActionCode,RoleId:desc").Items),
			[]string{all[1], all[0], all[4], all[3], all[2]})
		equalLines(t, "orderBy=EndDate (absent last)", historyLines(list(viewer, "?orderBy=EndDate:desc").Items),
			[]string{all[3], all[4], all[0], all[1], all[2]})
		cut := list(viewer, "?fields=HistoryId,ActionCode&onlyData=true")
		for _, e := range cut.Items {
			if e.HistoryId == nil || e.ActionCode == nil || e.RoleId != nil || e.CreatedBy != nil || e.Links != nil {
				t.Errorf("fields=HistoryId,ActionCode&onlyData=true: %+v", e)
			}
		}
		for _, e := range list(viewer, "?fields=").Items {
			if e.HistoryId != nil || e.Links == nil {
				t.Errorf("fields= (links only): %+v", e)
			}
		}

		// q, in both grammars, over every kind of attribute; values only ever bound.
		today := (*full.Items[0].CreationDate)[:10]
		for _, tc := range []struct {
			version, q string
			want       []string
		}{
			{"4", "ActionCode = 'ENDED'", all[3:]},
			{"4", "ActionCode = 'CREATED' or (RoleId = " + fmt.Sprint(manager) + " and ActionCode <> 'ENDED')", all[:3]},
			{"4", "UPPER(CreatedBy) LIKE 'CSS-ADM%'", all[1:3]},
			{"4", "EndDate IS NOT NULL and RequestTypeCd IN ('B2C')", all[4:]},
			{"4", "EndDate = '" + today + "'", all[3:]},
			{"4", "CreationDate >= '" + today + "' and StartDate <= '" + today + "'", all},
			{"4", "CreationDate < '2000-01-01T00:00:00Z'", nil},
			{"4", "HistoryId = '" + *full.Items[2].HistoryId + "'", all[2:3]},
			{"4", "ChangedAttributes LIKE '%RequestTypeCd%' and RegistrationId = 5001", all[:3]},
			{"4", "ActionCode = ''' OR 1=1 --'", nil},
			{"1", "ActionCode=UPDATED", all[2:3]},
			{"1", "AccountPartyId=" + fmt.Sprint(servertest.Acme) + ";RelationshipTypeCd=ORA_CSS_USER", []string{all[0], all[3]}},
		} {
			query := "?q=" + strings.ReplaceAll(url.QueryEscape(tc.q), "+", "%20")
			rec := h.Do(servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+query, viewer, "").With("REST-Framework-Version", tc.version))
			equalLines(t, "q="+tc.q, historyLines(decodeHistory(t, rec).Items), tc.want)
		}

		// One entry, by its id; as the collection shows it.
		want := full.Items[2]
		rec = h.Do(servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"/"+*want.HistoryId, viewer, ""))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vnd.oracle.adf.resourceitem+json" {
			t.Fatalf("item: %d %s", rec.Code, rec.Body)
		}
		var item gen.SelfServiceRoleHistory
		if err := json.Unmarshal(rec.Body.Bytes(), &item); err != nil {
			t.Fatal(err)
		}
		if historyLine(item) != updated || *item.HistoryId != *want.HistoryId || *item.CreationDate != *want.CreationDate {
			t.Errorf("item %s: %s", *want.HistoryId, historyLine(item))
		}

		// Another user's history is not Pat's.
		if other := decodeHistory(t, h.Do(servertest.ADF(http.MethodGet, historyPath(servertest.Sam), viewer, ""))); other.Count != 0 {
			t.Errorf("Sam's history: %v", historyLines(other.Items))
		}

		// Refusals, as the roles refuse them.
		rolesNotFound := servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(99999), viewer, "")), 404, "JBO-25020")
		rolesForbidden := servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), h.UserToken("css-none"), "")), 403, "SVC_CSS_PRIVILEGE_REQUIRED")
		for _, tc := range []struct {
			name   string
			req    servertest.Request
			status int
			code   string
			detail string
			path   string
		}{
			{"unknown user", servertest.ADF(http.MethodGet, historyPath(99999), viewer, ""), 404, "JBO-25020", rolesNotFound.Detail, "UserId"},
			{"unknown user, item", servertest.ADF(http.MethodGet, historyPath(99999)+"/"+*want.HistoryId, viewer, ""), 404, "JBO-25020", rolesNotFound.Detail, "UserId"},
			{"no privilege", servertest.ADF(http.MethodGet, historyPath(servertest.Pat), h.UserToken("css-none"), ""), 403, "SVC_CSS_PRIVILEGE_REQUIRED", rolesForbidden.Detail, servertest.ErrorPath(rolesForbidden)},
			{"no privilege, item", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"/"+*want.HistoryId, h.UserToken("css-none"), ""), 403, "SVC_CSS_PRIVILEGE_REQUIRED", rolesForbidden.Detail, servertest.ErrorPath(rolesForbidden)},
			{"no token", servertest.ADF(http.MethodGet, historyPath(servertest.Pat), "", ""), 401, "ADF_REST_AUTHENTICATION_REQUIRED", "", ""},
			{"unknown entry", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"/999999-1", viewer, ""), 404, "JBO-25020", "", "HistoryId"},
			{"another user's entry", servertest.ADF(http.MethodGet, historyPath(servertest.Sam)+"/"+*want.HistoryId, viewer, ""), 404, "JBO-25020", "", "HistoryId"},
			{"not an entry id", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"/abc", viewer, ""), 404, "JBO-25020", "", "HistoryId"},
			{"unknown field", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?fields=Colour", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "fields"},
			{"unknown sort key", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?orderBy=Colour", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "orderBy"},
			{"upper of a number", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?orderBy=upper(RoleId)", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "orderBy"},
			{"bad direction", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?orderBy=RoleId:up", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "orderBy"},
			{"q: unknown attribute", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?q=Colour=%27x%27", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "q"},
			{"q: text for a number", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?q=RoleId=%27x%27", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "q"},
			{"q: injection", servertest.ADF(http.MethodGet, historyPath(servertest.Pat)+"?q=ActionCode=%27x%27%20OR%201=1%20--", viewer, ""), 400, "ADF_REST_INVALID_PARAMETER", "", "q"},
			{"read-only: POST", servertest.ADF(http.MethodPost, historyPath(servertest.Pat), super, `{}`), 405, "ADF_REST_METHOD_NOT_ALLOWED", "", ""},
			{"read-only: DELETE", servertest.ADF(http.MethodDelete, historyPath(servertest.Pat)+"/"+*want.HistoryId, super, ""), 405, "ADF_REST_METHOD_NOT_ALLOWED", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				detail := servertest.ADFErrorOf(t, h.Do(tc.req), tc.status, tc.code)
				if tc.detail != "" && detail.Detail != tc.detail {
					t.Errorf("detail %q, want %q", detail.Detail, tc.detail)
				}
				if got := servertest.ErrorPath(detail); got != tc.path {
					t.Errorf("o:errorPath %q, want %q", got, tc.path)
				}
			})
		}
		// Reading changed nothing.
		equalLines(t, "after the reads", historyLines(list(viewer, "").Items), all)
	})
}

// TestSelfServiceRolesHistoryUpsert: a create with Upsert-Mode that updates the active role
// is an UPDATED entry of that role, naming what it changed; one that changes nothing still
// records the write.
func TestSelfServiceRolesHistoryUpsert(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		admin := h.UserToken("css-admin")
		access := h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
		for _, body := range []string{`{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`, `{"RelationshipTypeCd":"ORA_CSS_USER"}`} {
			rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Kim), admin, body).With("Upsert-Mode", "true"))
			servertest.DecodeRole(t, rec, http.StatusOK)
		}
		got := decodeHistory(t, h.Do(servertest.ADF(http.MethodGet, historyPath(servertest.Kim), admin, "")))
		equalLines(t, "Kim's history", historyLines(got.Items), []string{
			fmt.Sprintf("CREATED %d ORA_CSS_USER %d - active [AccountPartyId,RelationshipTypeCd,StartDate,UserId] by css-super", access, servertest.Acme),
			fmt.Sprintf("UPDATED %d ORA_CSS_USER %d B2C active [RequestTypeCd] by css-admin", access, servertest.Acme),
			fmt.Sprintf("UPDATED %d ORA_CSS_USER %d B2C active [] by css-admin", access, servertest.Acme),
		})
	})
}
