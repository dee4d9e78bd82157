package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// anotherInstance is a second server on h's database, with a pool of its own, as a second
// instance behind a load balancer is; it shares only the database and the token secret.
func anotherInstance(h *servertest.Harness) *servertest.Harness {
	h.T.Helper()
	s := storetest.OpenWith(h.T, h.Database)
	e, err := server.New(server.Config{Store: s, Tokens: h.Tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		h.T.Fatal(err)
	}
	return &servertest.Harness{T: h.T, E: e, Store: s, Tokens: h.Tokens, Database: h.Database}
}

// TestInstancesShareOnePostgreSQL: two instances on one PostgreSQL, requests spread over
// both, keep every rule that spans requests — a token issued by one is accepted by the
// other, and the grant limits, Oracle's one active role and Reltio's merged permissions hold
// as they do within one instance, since nothing they depend on lives in an instance.
func TestInstancesShareOnePostgreSQL(t *testing.T) {
	storetest.RequirePostgres(t, "several instances share PostgreSQL; SQLite serves one")
	a := servertest.New(t, store.Postgres, servertest.ManyCustomers(5000, 300), servertest.ReltioFixture, servertest.OracleFixture, servertest.TokenFixture)
	b := anotherInstance(a)
	instances := []*servertest.Harness{a, b}

	rec := a.RequestToken(servertest.TokenRequest{ClientID: "crm-sync", Secret: servertest.CRMSyncSecret, Form: servertest.ClientCredentialsForm()})
	if rec.Code != http.StatusOK {
		t.Fatalf("token from instance A: %d %s", rec.Code, rec.Body)
	}
	var issued gen.TokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &issued); err != nil {
		t.Fatal(err)
	}
	clientToken := issued.AccessToken
	if rec := b.Do(servertest.Get(clientToken, servertest.GrantsPath("1000"))); rec.Code != http.StatusNoContent {
		t.Fatalf("instance B with A's token: %d %s", rec.Code, rec.Body)
	}

	// 20 requests of 10 distinct grantees each on customer 5000, half through each
	// instance: only 7 fit under 75.
	statuses := servertest.Concurrently(20, func(i int) int {
		return instances[i%2].Do(servertest.Post(clientToken, servertest.GrantBody("5000", servertest.IDRange(5001+10*i, 10)...))).Code
	})
	if statuses[http.StatusCreated] != 7 || statuses[http.StatusBadRequest] != 13 {
		t.Errorf("grant statuses %v, want 7 201 and 13 400", statuses)
	}
	on := 0
	for _, pair := range b.GrantPairs() {
		var grantedOn, grantee int
		fmt.Sscanf(pair, "%d>%d", &grantedOn, &grantee)
		if grantedOn == 5000 {
			on++
		}
	}
	if on != 70 {
		t.Errorf("customer 5000 has %d grantees, want 70", on)
	}

	// The same Oracle role created 30 times at once through both: one is created.
	cssAdmin := a.UserToken("css-admin")
	statuses = servertest.Concurrently(30, func(i int) int {
		return instances[i%2].Do(servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), cssAdmin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)).Code
	})
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusBadRequest] != 29 {
		t.Errorf("Oracle statuses %v, want one 201 and 29 400", statuses)
	}
	if n := activeRoles(a, servertest.Pat, servertest.Acme, "ORA_CSS_USER"); n != 1 {
		t.Errorf("%d active roles, want 1", n)
	}

	// Reltio privileges added at once through both: none is lost.
	privileges := []string{"CREATE", "READ", "UPDATE", "DELETE"}
	reltioAdmin := a.UserToken("reltio-admin")
	statuses = servertest.Concurrently(len(privileges), func(i int) int {
		body := `[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer","allowedPrivileges":["` +
			privileges[i] + `"]}]}]}]`
		return instances[i%2].Do(servertest.Send(http.MethodPost, reltioAdmin, servertest.ReltioPath("TestCustomer", "/roles/permissions"), body)).Code
	})
	if statuses[http.StatusOK] != len(privileges) {
		t.Errorf("Reltio statuses %v, want all 200", statuses)
	}
	var services []gen.ServicePermission
	if err := json.Unmarshal([]byte(b.RolePermissionsOf("TestCustomer", "ROLE_RIQ_DEV")), &services); err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, s := range services {
		for _, r := range s.ResourcePermissions {
			held += len(r.AllowedPrivileges)
		}
	}
	if held != len(privileges) {
		t.Errorf("ROLE_RIQ_DEV holds %d privileges, want %d", held, len(privileges))
	}
}

// activeRoles counts the stored active roles matching user, account and relationship type.
func activeRoles(h *servertest.Harness, userID, account int64, relationshipType string) int {
	n := 0
	for _, role := range h.StoredRoles() {
		if role.UserID == userID && role.AccountPartyID == account && role.RelationshipTypeCd == relationshipType && role.EndDate == nil {
			n++
		}
	}
	return n
}
