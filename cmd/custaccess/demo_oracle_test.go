package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestDemoOracleWalkthrough follows the README's Oracle examples against the demo dataset:
// css-admin's token works, and each operation answers as the README says.
func TestDemoOracleWalkthrough(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			db := storetest.Open(t, dialect)
			if err := loadDemo(context.Background(), db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
				t.Fatal(err)
			}
			tokens, _ := auth.NewTokens([]byte(strings.Repeat("s", 32)))
			token, err := issueToken(context.Background(), db, tokens, auth.PrincipalUser, "css-admin", nil, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			e, err := server.New(server.Config{Store: db, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			const roles = "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/100/child/SelfServiceRoles"
			call := func(method, path, body string, headers ...string) *httptest.ResponseRecorder {
				var reader io.Reader
				if body != "" {
					reader = strings.NewReader(body)
				}
				req := httptest.NewRequest(method, path, reader)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("REST-Framework-Version", "4")
				if body != "" {
					req.Header.Set("Content-Type", "application/vnd.oracle.adf.resourceitem+json")
				}
				for i := 0; i < len(headers); i += 2 {
					req.Header.Set(headers[i], headers[i+1])
				}
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				return rec
			}
			for _, step := range []struct {
				method, path, body string
				headers            []string
				status             int
			}{
				{http.MethodPost, roles, `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`, nil, http.StatusCreated},
				{http.MethodPost, roles, `{"RelationshipTypeCd":"ORA_CSS_USER"}`, nil, http.StatusCreated},
				{http.MethodPost, roles, `{"RelationshipTypeCd":"ORA_CSS_USER","RequestTypeCd":"B2C"}`, []string{"Upsert-Mode", "true"}, http.StatusOK},
				{http.MethodGet, roles + "?limit=10&totalResults=true&q=RelationshipTypeCd=%27ORA_CSS_USER%27&orderBy=RoleId:desc&fields=RoleId,RelationshipTypeCd,RoleValue", "", nil, http.StatusOK},
				{http.MethodGet, roles + "/2", "", nil, http.StatusOK},
				{http.MethodPatch, roles + "/2", `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`, nil, http.StatusOK},
				{http.MethodDelete, roles + "/2", "", nil, http.StatusNoContent},
				{http.MethodDelete, roles + "/1", "", nil, http.StatusBadRequest}, // the last administrator of Acme
				{http.MethodGet, roles + "/1", "", []string{"REST-Framework-Version", "1"}, http.StatusOK},
			} {
				rec := call(step.method, step.path, step.body, step.headers...)
				if rec.Code != step.status {
					t.Fatalf("%s %s: status %d, want %d: %s", step.method, step.path, rec.Code, step.status, rec.Body)
				}
			}
			var page struct{ Count int }
			_ = json.Unmarshal(call(http.MethodGet, roles, "").Body.Bytes(), &page)
			if page.Count != 1 {
				t.Errorf("%d active roles at the end, want 1 (the administrator)", page.Count)
			}
		})
	}
}
