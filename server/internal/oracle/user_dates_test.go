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
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// The stamp every test row starts from: no write of this service ever makes it.
const (
	oldStamp   = "2020-01-02T03:04:05+00:00"
	oldStamper = "OLD"
)

// TestUserWhoColumnsFollowRoleWrites: every kind of role write, alone or in a batch, stamps
// its user's LastUpdateDate (the role's own) and LastUpdatedBy (the writer), in what is
// stored, what the item shows and its ETag, and touches no other user; a refused write, and
// a PATCH that changes nothing, leave every user as it was. The creation columns never move.
func TestUserWhoColumnsFollowRoleWrites(t *testing.T) {
	as := func(login, method, path, body string, headers ...string) func(h *harness) servertest.Request {
		return func(h *harness) servertest.Request {
			r := servertest.ADF(method, path, h.UserToken(login), body)
			for i := 0; i+1 < len(headers); i += 2 {
				r = r.With(headers[i], headers[i+1])
			}
			return r
		}
	}
	batch := func(login string, p ...string) func(h *harness) servertest.Request {
		return batchAs(login, parts(p...))
	}
	kimRole3 := servertest.RolePath(servertest.Kim, 3)
	cases := []struct {
		name    string
		request func(h *harness) servertest.Request
		status  int
		// stamped are the users the write stamps, by writer; every other user keeps the
		// old stamp.
		stamped []int64
		writer  string
	}{
		{"create", as("css-admin", http.MethodPost, servertest.RolesPath(servertest.Kim), `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			http.StatusCreated, []int64{servertest.Kim}, "css-admin"},
		{"create refused: a duplicate", as("css-admin", http.MethodPost, servertest.RolesPath(servertest.Kim), `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			http.StatusBadRequest, nil, ""},
		{"create refused: a disabled type", as("css-admin", http.MethodPost, servertest.RolesPath(servertest.Pat), `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`),
			http.StatusBadRequest, nil, ""},
		{"create refused: no privilege", as("css-viewer", http.MethodPost, servertest.RolesPath(servertest.Pat), `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			http.StatusForbidden, nil, ""},
		{"PATCH", as("css-admin", http.MethodPatch, kimRole3, `{"RequestTypeCd":"B2C"}`),
			http.StatusOK, []int64{servertest.Kim}, "css-admin"},
		{"PATCH changing nothing", as("css-super", http.MethodPatch, kimRole3, `{"RequestTypeCd":"B2C"}`),
			http.StatusOK, nil, ""},
		{"PATCH refused: a stale If-Match", as("css-super", http.MethodPatch, kimRole3, `{"RequestTypeCd":"B2B"}`, "If-Match", `"3-1"`),
			http.StatusPreconditionFailed, nil, ""},
		{"PATCH refused: a disabled type", as("css-super", http.MethodPatch, kimRole3, `{"RelationshipTypeCd":"ORA_CSS_RETIRED"}`),
			http.StatusBadRequest, nil, ""},
		{"upsert", as("css-super", http.MethodPost, servertest.RolesPath(servertest.Kim), `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2B"}`, "Upsert-Mode", "true"),
			http.StatusOK, []int64{servertest.Kim}, "css-super"},
		{"delete refused: the last administrator", as("css-admin", http.MethodDelete, servertest.RolePath(servertest.Pat, 1), ""),
			http.StatusBadRequest, nil, ""},
		{"delete refused: a stale If-Match", as("css-super", http.MethodDelete, servertest.RolePath(servertest.Pat, 1), "", "If-Match", `"1-9"`),
			http.StatusPreconditionFailed, nil, ""},
		{"batch", batch("css-admin",
			part("a", "/customerSelfServiceUsers/101/child/SelfServiceRoles", "create", `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			part("b", kimRoles+"/3", "update", `{"RequestTypeCd":"B2C"}`),
			part("c", kimRoles+"/3", "update", `{"RequestTypeCd":"B2B"}`),
			part("d", patRoles, "get", "")),
			http.StatusOK, []int64{servertest.Sam, servertest.Kim}, "css-admin"},
		{"batch refused: its last part fails", batch("css-admin",
			part("a", patRoles, "create", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`),
			part("b", kimRoles+"/3", "update", `{"RequestTypeCd":"B2C"}`),
			part("c", kimRoles+"/999", "update", `{"RequestTypeCd":"B2C"}`)),
			http.StatusNotFound, nil, ""},
		{"delete ending the user's other roles on the account", as("css-super", http.MethodDelete, servertest.RolePath(servertest.Pat, 2), ""),
			http.StatusNoContent, []int64{servertest.Pat}, "css-super"},
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		seedRoles(h)
		seeded := h.StoredUsers()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				storetest.Exec(t, h.Database, "UPDATE oracle_self_service_users SET last_update_date = '"+oldStamp+"', last_updated_by = '"+oldStamper+"'")
				tags := map[int64]string{}
				for _, u := range seeded {
					_, tags[u.UserID] = userItemOf(t, h, u.UserID)
				}
				rolesBefore := h.fullRoleStates()
				if rec := h.Do(tc.request(h)); rec.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
				}
				if tc.stamped == nil && !slices.Equal(h.fullRoleStates(), rolesBefore) {
					t.Errorf("roles changed:\n%q\n%q", rolesBefore, h.fullRoleStates())
				}
				// The time of the user's latest role write, by user.
				latest := map[int64]time.Time{}
				for _, r := range h.StoredRoles() {
					if r.LastUpdateDate.After(latest[r.UserID]) {
						latest[r.UserID] = r.LastUpdateDate
					}
				}
				for i, stored := range h.StoredUsers() {
					item, tag := userItemOf(t, h, stored.UserID)
					if stored.CreatedBy != seeded[i].CreatedBy || !stored.CreationDate.Equal(seeded[i].CreationDate) ||
						*item.CreatedBy != store.OracleSeedActor || *item.CreationDate != adfTime(seeded[i].CreationDate) {
						t.Errorf("user %d: created by %s at %s (item: %s at %s), was %s at %s", stored.UserID, stored.CreatedBy, stored.CreationDate,
							*item.CreatedBy, *item.CreationDate, seeded[i].CreatedBy, seeded[i].CreationDate)
					}
					if !slices.Contains(tc.stamped, stored.UserID) {
						if stored.LastUpdatedBy != oldStamper || adfTime(stored.LastUpdateDate) != oldStamp ||
							*item.LastUpdatedBy != oldStamper || *item.LastUpdateDate != oldStamp || tag != tags[stored.UserID] {
							t.Errorf("user %d: last updated by %s at %s (item: %s at %s, ETag %s, was %s); want it left as it was",
								stored.UserID, stored.LastUpdatedBy, stored.LastUpdateDate, *item.LastUpdatedBy, *item.LastUpdateDate, tag, tags[stored.UserID])
						}
						continue
					}
					if stored.LastUpdatedBy != tc.writer || !stored.LastUpdateDate.Equal(latest[stored.UserID]) ||
						*item.LastUpdatedBy != tc.writer || *item.LastUpdateDate != adfTime(latest[stored.UserID]) || tag == tags[stored.UserID] {
						t.Errorf("user %d: last updated by %s at %s (item: %s at %s, ETag %s, was %s); want %s at %s, a new ETag",
							stored.UserID, stored.LastUpdatedBy, stored.LastUpdateDate, *item.LastUpdatedBy, *item.LastUpdateDate, tag, tags[stored.UserID],
							tc.writer, latest[stored.UserID])
					}
				}
			})
		}
	})
}

// adfTime is a time as items show it.
func adfTime(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05+00:00") }

// userItemOf GETs a user as a viewer: the item and its ETag.
func userItemOf(t *testing.T, h *harness, userID int64) (gen.SelfServiceUser, string) {
	t.Helper()
	rec := h.Do(servertest.ADF(http.MethodGet, fmt.Sprintf("%s/%d", usersPath, userID), h.UserToken("css-viewer"), ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET user %d: %d %s", userID, rec.Code, rec.Body)
	}
	var user gen.SelfServiceUser
	if err := json.Unmarshal(rec.Body.Bytes(), &user); err != nil {
		t.Fatal(err)
	}
	return user, rec.Header().Get("ETag")
}

// userDatesFixture restates three users of OracleFixture with Who columns of their own; Kim
// keeps those of the load (SEED, now).
const userDatesFixture = `
oracle:
  selfServiceUsers:
    - {userId: 100, loginId: pat@example.com, contactPartyId: 300100000000101, creationDate: 2026-01-10T08:00:00Z,
       lastUpdatedBy: css-admin, lastUpdateDate: 2026-03-01T10:00:00Z}
    - {userId: 101, loginId: sam@example.com, contactPartyId: 300100000000102, createdBy: import, creationDate: "2026-01-11T08:00:00+02:00",
       lastUpdatedBy: css-super, lastUpdateDate: 2026-02-01T10:00:00Z}
    - {userId: 102, loginId: lee, contactPartyId: 300100000000103, creationDate: 2026-01-12T08:00:00Z,
       lastUpdatedBy: css-admin, lastUpdateDate: 2026-04-01T10:00:00.5Z}
`

// TestUserWhoColumnsInQOrderByAndFields: the four attributes can be named in q, by
// framework version (the dates compared as the roles' are: a date is the whole UTC day, a
// timestamp to the second), in orderBy and in fields; the item shows them as the seed file
// stated them, in UTC.
func TestUserWhoColumnsInQOrderByAndFields(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, userDatesFixture)
		token := h.UserToken("css-viewer")
		ids := func(path, version string) []string {
			t.Helper()
			rec := h.Do(servertest.ADF(http.MethodGet, usersPath+path, token, "").With("REST-Framework-Version", version))
			c := decodeUsers(t, rec, rec.Code, rec.Body.Bytes())
			got := []string{}
			for _, u := range c.Items {
				got = append(got, fmt.Sprint(*u.UserId))
			}
			return got
		}
		for _, tc := range []struct {
			version, q string
			want       []string
		}{
			{"1", "LastUpdatedBy=css-admin", []string{"100", "102"}},
			{"1", "CreatedBy=SEED;LastUpdateDate=>2026-02-15T00:00:00", []string{"100", "102", "103"}},
			{"1", "CreationDate=2026-01-11", []string{"101"}},
			{"1", "LastUpdateDate=BETWEEN 2026-01-01 AND 2026-03-01", []string{"100", "101"}}, // whole days
			{"4", "CreatedBy = 'import'", []string{"101"}},
			{"4", "CreationDate = '2026-01-11'", []string{"101"}}, // 06:00 UTC
			{"4", "CreationDate = '2026-01-11T06:00:00Z'", []string{"101"}},
			{"4", "LastUpdateDate = '2026-04-01T10:00:00+00:00'", []string{"102"}},
			{"4", "LastUpdateDate > '2026-02-15T00:00:00Z' AND LastUpdatedBy <> 'SEED'", []string{"100", "102"}},
			{"4", "UPPER(LastUpdatedBy) LIKE 'CSS-S%' OR CreationDate >= '2026-01-12'", []string{"101", "102", "103"}},
			{"4", "LastUpdatedBy IS NULL", []string{}},
		} {
			if got := ids("?fields=UserId&q="+url.QueryEscape(tc.q), tc.version); !slices.Equal(got, tc.want) {
				t.Errorf("v%s q=%s: %v, want %v", tc.version, tc.q, got, tc.want)
			}
		}
		for orderBy, want := range map[string][]string{
			"LastUpdateDate:desc": {"103", "102", "100", "101"},
			"CreationDate":        {"100", "101", "102", "103"},
			// Case folded: the databases' collations order mixed case differently.
			"upper(CreatedBy):desc,upper(LastUpdatedBy)": {"100", "102", "103", "101"},
			"upper(LastUpdatedBy):desc":                  {"103", "101", "100", "102"},
		} {
			if got := ids("?fields=UserId&orderBy="+url.QueryEscape(orderBy), "4"); !slices.Equal(got, want) {
				t.Errorf("orderBy=%s: %v, want %v", orderBy, got, want)
			}
		}
		rec := h.Do(servertest.ADF(http.MethodGet, usersPath+"?onlyData=true&q=UserId=101&fields=UserId,CreatedBy,CreationDate,LastUpdatedBy,LastUpdateDate", token, ""))
		if got, want := servertest.CompactJSON(t, rec.Body.String()), `"items":[{"CreatedBy":"import","CreationDate":"2026-01-11T06:00:00+00:00","LastUpdateDate":"2026-02-01T10:00:00+00:00","LastUpdatedBy":"css-super","UserId":101}]`; rec.Code != http.StatusOK || !strings.Contains(got, want) {
			t.Errorf("fields: %d %s, want %s", rec.Code, got, want)
		}
		// Wrong types and unknown attributes are refused as for any attribute.
		for _, q := range []string{"LastUpdateDate > 5", "CreationDate = 'yesterday'", "LastUpdatedBy > 1", "LastUpdateLogin = 'x'"} {
			rec := h.Do(servertest.ADF(http.MethodGet, usersPath+"?q="+url.QueryEscape(q), token, "").With("REST-Framework-Version", "4"))
			servertest.ADFErrorOf(t, rec, http.StatusBadRequest, "ADF_REST_INVALID_PARAMETER")
		}
	})
}

// TestUserWhoColumnsDescribedAsTheRoles: the user's describe picks the four attributes up
// from the schema, described exactly as the role's (type, title, length, queryable, read-only)
// but for their descriptions, which say what they are of the user.
func TestUserWhoColumnsDescribedAsTheRoles(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		token := h.UserToken("css-viewer")
		rec := h.Do(servertest.ADF(http.MethodGet, usersPath+"/describe", token, ""))
		users := decodeDescription(t, rec, rec.Code, rec.Body.Bytes()).Resources["customerSelfServiceUsers"]
		rec = h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"/describe", token, ""))
		roles := decodeDescription(t, rec, rec.Code, rec.Body.Bytes()).Resources["SelfServiceRoles"]
		described := func(attributes []gen.AdfAttributeDescription, name string) string {
			for _, a := range attributes {
				if a.Name == name {
					a.Annotations = nil
					return jsonOf(a)
				}
			}
			return "absent"
		}
		for _, name := range []string{"CreatedBy", "CreationDate", "LastUpdatedBy", "LastUpdateDate"} {
			user, role := described(users.Attributes, name), described(roles.Attributes, name)
			if user == "absent" || user != role {
				t.Errorf("%s:\n user %s\n role %s", name, user, role)
			}
		}
	})
}

// TestUserWhoColumnsUnderConcurrency: role writes of the same users sent at once through two
// instances — on different accounts, so that only the users' rows make them take turns, and
// as batches each touching two users — all succeed, and each user ends stamped with one of
// its roles' own stamps: LastUpdateDate and LastUpdatedBy of the same write. SQLite serves
// one instance: there the writers are goroutines on it. (Batches locking two accounts in
// opposite orders can deadlock on PostgreSQL and answer 500 on main already, stamps or not:
// the shared transaction of a batch is not retried; not tested here.)
func TestUserWhoColumnsUnderConcurrency(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect)
		instances := []*servertest.Harness{h.Harness, h.Harness}
		if dialect == store.Postgres {
			instances[1] = h.AnotherInstance()
		}
		writers := []string{"css-admin", "css-super"}
		samRoles := "/customerSelfServiceUsers/101/child/SelfServiceRoles"
		requestTypes := []string{"B2B", "B2C"}
		for round := range 10 {
			requestType := requestTypes[round%2]
			upsert := func(id, path string, account int64) string {
				return part(id, path, "upsert",
					fmt.Sprintf(`{"AccountPartyId":%d,"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":%q}`, account, requestType))
			}
			requests := []servertest.Request{
				// Sam on Globex and on Acme: two accounts, one user.
				servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Sam), h.UserToken(writers[0]),
					`{"AccountPartyId":300100000000002,"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"`+requestType+`"}`).With("Upsert-Mode", "true"),
				servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Sam), h.UserToken(writers[1]),
					`{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"`+requestType+`"}`).With("Upsert-Mode", "true"),
			}
			if round%2 == 1 {
				// Batches: Sam on Globex then Kim on Acme, each stamping both users.
				requests = nil
				for _, writer := range writers {
					requests = append(requests, servertest.ADF(http.MethodPost, batchPath, h.UserToken(writer),
						parts(upsert("sam", samRoles, servertest.Globex), upsert("kim", kimRoles, servertest.Acme))).
						With("Content-Type", "application/vnd.oracle.adf.batch+json"))
				}
			}
			var bodies [2]string
			statuses := servertest.Concurrently(2, func(i int) int {
				rec := instances[i].Do(requests[i])
				bodies[i] = rec.Body.String()
				return rec.Code
			})
			if statuses[http.StatusOK]+statuses[http.StatusCreated] != 2 {
				t.Fatalf("round %d: statuses %v: %q", round, statuses, bodies)
			}
		}
		stamps := map[int64][]string{} // user → "date by" of each of its roles
		for _, r := range h.StoredRoles() {
			stamps[r.UserID] = append(stamps[r.UserID], r.LastUpdateDate.UTC().Format(time.RFC3339Nano)+" "+r.LastUpdatedBy)
		}
		for _, u := range h.StoredUsers() {
			if u.UserID != servertest.Sam && u.UserID != servertest.Kim {
				continue
			}
			if stamp := u.LastUpdateDate.UTC().Format(time.RFC3339Nano) + " " + u.LastUpdatedBy; !slices.Contains(stamps[u.UserID], stamp) {
				t.Errorf("user %d stamped %s, none of its roles' %q", u.UserID, stamp, stamps[u.UserID])
			}
		}
	})
}
