package server

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/store/storetest"
)

// Benchmarks of the Oracle operations through the whole stack:
//
//	go test -run '^$' -bench Oracle -benchmem ./server/
func BenchmarkOracle(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		h := newOracleHarness(b, dialect, listFixture())
		seedListRoles(h)
		admin := h.userToken("css-admin")
		b.Run(string(dialect)+"/list-25-of-28", func(b *testing.B) {
			benchmarkRequest(b, h, adf(http.MethodGet, rolesPath(sam)+"?totalResults=true", admin, ""), http.StatusOK)
		})
		b.Run(string(dialect)+"/list-q-orderBy-fields", func(b *testing.B) {
			path := rolesPath(sam) + "?q=RelationshipTypeCd=ORA_CSS_ACC_ADMIN&orderBy=AccountPartyName:desc&fields=RoleId,AccountPartyName"
			benchmarkRequest(b, h, adf(http.MethodGet, path, admin, ""), http.StatusOK)
		})
		b.Run(string(dialect)+"/get", func(b *testing.B) {
			benchmarkRequest(b, h, adf(http.MethodGet, rolePath(sam, 16), admin, ""), http.StatusOK)
		})
		b.Run(string(dialect)+"/create-upsert", func(b *testing.B) {
			upsert := adf(http.MethodPost, rolesPath(sam), admin, `{"AccountPartyId":300100000000001,"RelationshipTypeCd":"ORA_CSS_USER"}`).with("Upsert-Mode", "true")
			benchmarkRequest(b, h, upsert, http.StatusOK)
		})
		b.Run(string(dialect)+"/create-then-delete", func(b *testing.B) {
			create := adf(http.MethodPost, rolesPath(kim), admin, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)
			b.ReportAllocs()
			for b.Loop() {
				role := decodeRole(b, h.do(create), http.StatusCreated)
				if rec := h.do(adf(http.MethodDelete, rolePath(kim, *role.RoleId), admin, "")); rec.Code != http.StatusNoContent {
					b.Fatalf("delete: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
