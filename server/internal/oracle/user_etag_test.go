package oracle_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

var userETagForm = regexp.MustCompile(`^"100-[0-9a-f]{16}"$`)

// TestSelfServiceUserETag: a user item carries an ETag, the changeIndicator of its self link
// in items and collections; If-None-Match naming it gets 304 without a body; the tag
// changes when what the item shows changes (a seed changing the contact, a role write
// stamping the user's LastUpdateDate), with or without the roles embedded.
func TestSelfServiceUserETag(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-viewer")
		get := func(path string, headers ...string) (*gen.SelfServiceUser, string, int) {
			t.Helper()
			r := servertest.ADF(http.MethodGet, usersPath+path, token, "")
			for i := 0; i+1 < len(headers); i += 2 {
				r = r.With(headers[i], headers[i+1])
			}
			rec := h.Do(r)
			if rec.Code == http.StatusNotModified {
				if rec.Body.Len() != 0 {
					t.Errorf("304 with a body: %s", rec.Body)
				}
				return nil, rec.Header().Get("ETag"), rec.Code
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
			var user gen.SelfServiceUser
			if err := json.Unmarshal(rec.Body.Bytes(), &user); err != nil {
				t.Fatal(err)
			}
			return &user, rec.Header().Get("ETag"), rec.Code
		}
		user, tag, _ := get("/100")
		if !userETagForm.MatchString(tag) {
			t.Fatalf("ETag %q", tag)
		}
		if got := selfIndicator(user.Links); got == nil || `"`+*got+`"` != tag {
			t.Errorf("changeIndicator %v, want %s", got, tag)
		}
		rec := h.Do(servertest.ADF(http.MethodGet, usersPath+"?q=UserId=100", token, ""))
		page := decodeUsers(t, rec, rec.Code, rec.Body.Bytes())
		if len(page.Items) != 1 || selfIndicator(page.Items[0].Links) == nil || `"`+*selfIndicator(page.Items[0].Links)+`"` != tag {
			t.Errorf("the collection's changeIndicator differs from %s: %+v", tag, page.Items)
		}
		if _, other, _ := get("/101"); other == tag || other == "" {
			t.Errorf("users 100 and 101 have the tags %s and %s", tag, other)
		}
		if _, same, _ := get("/100?fields=UserId"); same != tag {
			t.Errorf("fields changed the tag: %s, want %s", same, tag)
		}

		for _, tc := range []struct {
			ifNoneMatch string
			status      int
		}{
			{tag, http.StatusNotModified},
			{"W/" + tag, http.StatusNotModified},
			{`"x", ` + tag, http.StatusNotModified},
			{"*", http.StatusNotModified},
			{`"100-0000000000000000"`, http.StatusOK},
			{tag[1 : len(tag)-1], http.StatusOK}, // unquoted: not a tag list
		} {
			if _, got, status := get("/100", "If-None-Match", tc.ifNoneMatch); status != tc.status || got != tag {
				t.Errorf("If-None-Match %s: %d with ETag %s, want %d with %s", tc.ifNoneMatch, status, got, tc.status, tag)
			}
		}

		// A new role stamps the user's LastUpdateDate: both tags change, and the old ones no
		// longer get 304.
		_, expanded, _ := get("/100?expand=SelfServiceRoles")
		if expanded == tag {
			t.Errorf("the expanded item has the plain item's tag %s", tag)
		}
		h.createRole(servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
		stamped, after, status := get("/100", "If-None-Match", tag)
		if status != http.StatusOK || after == tag || !userETagForm.MatchString(after) || *stamped.LastUpdatedBy != "css-super" {
			t.Errorf("a new role left the user's tag %s (%d), LastUpdatedBy %s", after, status, jsonOf(stamped.LastUpdatedBy))
		}
		if _, after, status := get("/100?expand=SelfServiceRoles", "If-None-Match", expanded); status != http.StatusOK || after == expanded {
			t.Errorf("a new role left the expanded item's tag %s (%d)", after, status)
		}
		tag = after

		// What the item shows changes (the seed renames the contact): a new tag, and the
		// old one no longer gets 304.
		servertest.LoadFixture(t, h.Store, `
oracle:
  contacts:
    - {partyId: 300100000000101, name: Pat Q. Doe, partyNumber: CDRM_2001, email: pat@example.com, accounts: [300100000000001]}
`)
		renamed, after, status := get("/100", "If-None-Match", tag)
		if status != http.StatusOK || after == tag || !userETagForm.MatchString(after) || *renamed.ContactPartyName != "Pat Q. Doe" {
			t.Errorf("after the rename: %d, ETag %s (was %s)", status, after, tag)
		}
	})
}

// TestSelfServiceUserETagRules: If-None-Match never gets past the checks before it.
func TestSelfServiceUserETagRules(t *testing.T) {
	get := func(login, path string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			return servertest.ADF(http.MethodGet, usersPath+path, h.UserToken(login), "").With("If-None-Match", "*")
		}
	}
	runOracleCases(t, seedRoles, []oracleCase{
		{name: "any tag as a viewer", status: 304, request: get("css-viewer", "/100")},
		{name: "any tag without a privilege", status: 403, code: "SVC_CSS_PRIVILEGE_REQUIRED", request: get("css-none", "/100")},
		{name: "any tag of a user that does not exist", status: 404, code: "JBO-25020", path: "UserId", request: get("css-viewer", "/999")},
		{name: "any tag with a bad field", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "fields", request: get("css-viewer", "/100?fields=Colour")},
		{name: "an overlong If-None-Match", status: 400, code: "ADF_REST_INVALID_PARAMETER", path: "If-None-Match",
			request: func(h *harness) servertest.Request {
				long := make([]byte, 1001)
				for i := range long {
					long[i] = 'a'
				}
				return servertest.ADF(http.MethodGet, usersPath+"/100", h.UserToken("css-viewer"), "").With("If-None-Match", `"`+string(long)+`"`)
			}},
	})
}

// TestExpandedUserETagFollowsWhatIsShown: the tag of a user item embedding its roles changes
// when an embedded role's flags change without the role itself changing (Pat's last-admin
// role becomes deletable once Kim is an administrator of the account too), and the tag of an
// item embedding its history stays when a new entry falls beyond the page shown.
func TestExpandedUserETagFollowsWhatIsShown(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		token := h.UserToken("css-admin")
		get := func(path string) ([]byte, string) {
			t.Helper()
			rec := h.Do(servertest.ADF(http.MethodGet, usersPath+path, token, ""))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
			return rec.Body.Bytes(), rec.Header().Get("ETag")
		}
		canDelete := func(body []byte) bool {
			t.Helper()
			var user gen.SelfServiceUser
			if err := json.Unmarshal(body, &user); err != nil || user.SelfServiceRoles == nil {
				t.Fatalf("user: %v %s", err, body)
			}
			for _, r := range user.SelfServiceRoles.Items {
				if r.RoleId != nil && *r.RoleId == 1 {
					return r.CanDeleteFlag != nil && *r.CanDeleteFlag
				}
			}
			t.Fatalf("role 1 not embedded: %s", body)
			return false
		}
		before, tag := get(fmt.Sprintf("/%d?expand=SelfServiceRoles", servertest.Pat))
		h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
		after, newTag := get(fmt.Sprintf("/%d?expand=SelfServiceRoles", servertest.Pat))
		if canDelete(before) || !canDelete(after) {
			t.Fatalf("role 1's CanDeleteFlag: %v then %v, want false then true", canDelete(before), canDelete(after))
		}
		if newTag == tag {
			t.Errorf("the embedded role's flag changed, the tag %s stayed", tag)
		}

		// Kim's history past one page: a new entry beyond the page leaves what is shown.
		grantAndEnd := func() {
			t.Helper()
			id := h.createRole(servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)
			if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, id), h.UserToken("css-super"), "")); rec.Code != http.StatusNoContent {
				t.Fatalf("delete: %d %s", rec.Code, rec.Body)
			}
		}
		for range 12 {
			grantAndEnd()
		}
		path := fmt.Sprintf("/%d?expand=SelfServiceRolesHistory&onlyData=true", servertest.Kim)
		shown, tag := get(path)
		// Every role write stamps Kim's Who columns (shown, so in the tag): they are put
		// back, so that only the history differs.
		storetest.Exec(t, h.Database, `CREATE TABLE kim_stamp AS
			SELECT last_update_date, last_updated_by FROM oracle_self_service_users WHERE user_id = 103`)
		grantAndEnd()
		storetest.Exec(t, h.Database, `UPDATE oracle_self_service_users SET
			last_update_date = (SELECT last_update_date FROM kim_stamp),
			last_updated_by = (SELECT last_updated_by FROM kim_stamp) WHERE user_id = 103`)
		shownAfter, tagAfter := get(path)
		if string(shown) != string(shownAfter) {
			t.Fatalf("the first page changed; the test needs a history longer than a page:\n%s\n%s", shown, shownAfter)
		}
		if tagAfter != tag {
			t.Errorf("nothing shown changed, the tag did: %s, was %s", tagAfter, tag)
		}
	})
}
