package oracle_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store/storetest"
)

// Benchmarks of the Oracle operations through the whole stack:
//
//	go test -run '^$' -bench Oracle -benchmem ./server/internal/oracle/
func BenchmarkOracle(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		h := newOracleHarness(b, dialect, listFixture())
		seedListRoles(h)
		admin := h.UserToken("css-admin")
		b.Run(string(dialect)+"/list-25-of-28", func(b *testing.B) {
			servertest.BenchmarkRequest(b, h.Harness, servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Sam)+"?totalResults=true", admin, ""), http.StatusOK)
		})
		b.Run(string(dialect)+"/list-q-orderBy-fields", func(b *testing.B) {
			path := servertest.RolesPath(servertest.Sam) + "?q=RelationshipTypeCd=%27ORA_CSS_ACC_ADMIN%27&orderBy=AccountPartyName:desc&fields=RoleId,AccountPartyName"
			servertest.BenchmarkRequest(b, h.Harness, servertest.ADF(http.MethodGet, path, admin, ""), http.StatusOK)
		})
		b.Run(string(dialect)+"/get", func(b *testing.B) {
			servertest.BenchmarkRequest(b, h.Harness, servertest.ADF(http.MethodGet, servertest.RolePath(servertest.Sam, 16), admin, ""), http.StatusOK)
		})
		b.Run(string(dialect)+"/create-upsert", func(b *testing.B) {
			upsert := servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Sam), admin, `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_USER"}`).With("Upsert-Mode", "true")
			servertest.BenchmarkRequest(b, h.Harness, upsert, http.StatusOK)
		})
		b.Run(string(dialect)+"/create-then-delete", func(b *testing.B) {
			create := servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Kim), admin, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)
			b.ReportAllocs()
			for b.Loop() {
				role := servertest.DecodeRole(b, h.Do(create), http.StatusCreated)
				if rec := h.Do(servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, *role.RoleId), admin, "")); rec.Code != http.StatusNoContent {
					b.Fatalf("delete: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
