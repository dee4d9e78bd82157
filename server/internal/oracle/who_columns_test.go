package oracle_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// CreatedBy and LastUpdatedBy hold 64 characters, and logins have no limit: a longer login
// is cut to its first 64 characters (not bytes), in what is stored and what is returned, by
// every write.
func TestOracleWhoColumnsOfALongLogin(t *testing.T) {
	login := "css-" + strings.Repeat("ü", 80)
	who := "css-" + strings.Repeat("ü", 60)
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newOracleHarness(t, dialect, `users: [{login: "`+login+`", name: Long login, privileges: [SVC_MANAGE_SELF_SERVICE_ROLES_PRIV]}]`)
		token := h.UserToken(login)
		check := func(step string, createdBy, lastUpdatedBy *string) {
			t.Helper()
			if createdBy != nil && *createdBy != who {
				t.Errorf("%s: CreatedBy %q, want %q", step, *createdBy, who)
			}
			if lastUpdatedBy == nil || *lastUpdatedBy != who || !utf8.ValidString(*lastUpdatedBy) {
				t.Errorf("%s: LastUpdatedBy %s, want %q", step, jsonOf(lastUpdatedBy), who)
			}
			stored := h.StoredRoles()[0]
			if stored.CreatedBy != who || stored.LastUpdatedBy != who || len(stored.LastUpdateLogin) != 32 {
				t.Errorf("%s: stored %s (created by %s)", step, fullRoleState(stored), stored.CreatedBy)
			}
		}
		created := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Kim), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)), http.StatusCreated)
		check("create", created.CreatedBy, created.LastUpdatedBy)
		upserted := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Kim), token, `{"RelationshipTypeCd":"ORA_CSS_USER"}`).With("Upsert-Mode", "true")), http.StatusOK)
		check("upsert", upserted.CreatedBy, upserted.LastUpdatedBy)
		updated := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Kim, 1), token, `{"RequestTypeCd":"B2C"}`)), http.StatusOK)
		check("update", updated.CreatedBy, updated.LastUpdatedBy)
		if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, 1), token, "")); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		ended := servertest.DecodeRole(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Kim, 1), token, "")), http.StatusOK)
		check("delete", ended.CreatedBy, ended.LastUpdatedBy)
	})
}
