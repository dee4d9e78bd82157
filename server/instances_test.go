package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// anotherInstance is a second server on h's database, with a pool of its own, as a second
// instance behind a load balancer is; it shares only the database and the token secret.
func (h *harness) anotherInstance() *harness {
	h.t.Helper()
	s := storetest.OpenWith(h.t, h.database)
	e, err := New(Config{Store: s, Tokens: h.tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		h.t.Fatal(err)
	}
	return &harness{t: h.t, e: e, store: s, tokens: h.tokens, database: h.database}
}

// TestInstancesShareOnePostgreSQL: two instances on one PostgreSQL, requests spread over
// both, keep every rule that spans requests — a token issued by one is accepted by the
// other, and the grant limits, Oracle's one active role and Reltio's merged permissions hold
// as they do within one instance, since nothing they depend on lives in an instance.
func TestInstancesShareOnePostgreSQL(t *testing.T) {
	if !slices.Contains(storetest.Dialects(t), store.Postgres) {
		t.Skip("PostgreSQL only (TEST_DATABASE_URL): several instances share PostgreSQL; SQLite serves one")
	}
	a := newHarness(t, store.Postgres, manyCustomers(5000, 300), reltioFixture, oracleFixture, tokenFixture)
	b := a.anotherInstance()
	instances := []*harness{a, b}

	rec := a.requestToken(tokenRequest{clientID: "crm-sync", secret: crmSyncSecret, form: clientCredentialsForm()})
	if rec.Code != http.StatusOK {
		t.Fatalf("token from instance A: %d %s", rec.Code, rec.Body)
	}
	var issued gen.TokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &issued); err != nil {
		t.Fatal(err)
	}
	clientToken := issued.AccessToken
	if rec := b.do(get(clientToken, grantsPath("1000"))); rec.Code != http.StatusNoContent {
		t.Fatalf("instance B with A's token: %d %s", rec.Code, rec.Body)
	}

	// 20 requests of 10 distinct grantees each on customer 5000, half through each
	// instance: only 7 fit under 75.
	statuses := concurrently(20, func(i int) int {
		return instances[i%2].do(post(clientToken, grantBody("5000", idRange(5001+10*i, 10)...))).Code
	})
	if statuses[http.StatusCreated] != 7 || statuses[http.StatusBadRequest] != 13 {
		t.Errorf("grant statuses %v, want 7 201 and 13 400", statuses)
	}
	on := 0
	for _, pair := range b.grantPairs() {
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
	cssAdmin := a.userToken("css-admin")
	statuses = concurrently(30, func(i int) int {
		return instances[i%2].do(adf(http.MethodPost, rolesPath(pat), cssAdmin, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)).Code
	})
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusBadRequest] != 29 {
		t.Errorf("Oracle statuses %v, want one 201 and 29 400", statuses)
	}
	if n := a.activeRoles(pat, acme, "ORA_CSS_USER"); n != 1 {
		t.Errorf("%d active roles, want 1", n)
	}

	// Reltio privileges added at once through both: none is lost.
	privileges := []string{"CREATE", "READ", "UPDATE", "DELETE"}
	reltioAdmin := a.userToken("reltio-admin")
	statuses = concurrently(len(privileges), func(i int) int {
		body := `[{"roleName":"ROLE_RIQ_DEV","servicePermissions":[{"id":"Auth","resourcePermissions":[{"id":"customer","allowedPrivileges":["` +
			privileges[i] + `"]}]}]}]`
		return instances[i%2].do(send(http.MethodPost, reltioAdmin, reltioPath("TestCustomer", "/roles/permissions"), body)).Code
	})
	if statuses[http.StatusOK] != len(privileges) {
		t.Errorf("Reltio statuses %v, want all 200", statuses)
	}
	var services []gen.ServicePermission
	if err := json.Unmarshal([]byte(b.rolePermissionsOf("TestCustomer", "ROLE_RIQ_DEV")), &services); err != nil {
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
