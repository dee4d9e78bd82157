package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

func loadedClient(t *testing.T, s *store.Store, clientID string) *store.Client {
	t.Helper()
	var client *store.Client
	err := s.View(context.Background(), func(tx *store.Tx) (err error) {
		client, err = tx.ClientByClientID(clientID)
		return err
	})
	if err != nil {
		t.Fatalf("client %s: %v", clientID, err)
	}
	return client
}

func TestClientSecretsAreStoredHashed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		const secret = "s3cret-of-the-crm-sync-job"
		if err := load(t, s, `clients: [{clientId: crm-sync, name: CRM, type: API, secret: `+secret+`}, {clientId: portal, name: Portal, type: WEB}]`); err != nil {
			t.Fatal(err)
		}
		client := loadedClient(t, s, "crm-sync")
		if client.SecretHash == nil || strings.Contains(*client.SecretHash, secret) || !strings.HasPrefix(*client.SecretHash, "$2") {
			t.Fatalf("secret_hash %v: want a bcrypt hash, never the secret", client.SecretHash)
		}
		if !store.ClientSecretMatches(client, secret) || store.ClientSecretMatches(client, secret+"x") || store.ClientSecretMatches(client, "") {
			t.Error("the stored hash does not tell the secret from others")
		}
		if portal := loadedClient(t, s, "portal"); portal.SecretHash != nil || store.ClientSecretMatches(portal, "") {
			t.Error("a client without a secret matches")
		}
		if store.ClientSecretMatches(nil, secret) {
			t.Error("an unknown client matches")
		}

		// A later file without a secret keeps it; one with a secretHash replaces it.
		if err := load(t, s, `clients: [{clientId: crm-sync, name: CRM renamed, type: API}]`); err != nil {
			t.Fatal(err)
		}
		if !store.ClientSecretMatches(loadedClient(t, s, "crm-sync"), secret) {
			t.Error("reloading the client without a secret dropped its secret")
		}
		// bcrypt hash of "another-secret-1234", cost 10.
		const otherHash = "$2a$10$yH/s7FVPgEofb1TMv6O.qOPN0ZJKxaIDG5ECn9gJpiPjT/Wg2qDra"
		if err := load(t, s, `clients: [{clientId: crm-sync, name: CRM, type: API, secretHash: "`+otherHash+`"}]`); err != nil {
			t.Fatal(err)
		}
		if got := loadedClient(t, s, "crm-sync"); *got.SecretHash != otherHash || store.ClientSecretMatches(got, secret) || !store.ClientSecretMatches(got, "another-secret-1234") {
			t.Errorf("secretHash not stored as given: %v", *got.SecretHash)
		}
	})
}

func TestBadClientSecretsAreRefused(t *testing.T) {
	s := storetest.Open(t, store.SQLite) // the file alone is at fault: one dialect suffices
	for _, tc := range []struct{ text, wantErr string }{
		{`clients: [{clientId: x, name: X, type: API, secret: short}]`, "clients[0].secret: must be 16 to 72 bytes long"},
		{`clients: [{clientId: x, name: X, type: API, secret: "` + strings.Repeat("s", 73) + `"}]`, "clients[0].secret: must be 16 to 72 bytes long"},
		{`clients: [{clientId: x, name: X, type: API, secretHash: plain-text}]`, "clients[0].secretHash: not a bcrypt hash"},
		{`clients: [{clientId: x, name: X, type: API, secret: long-enough-secret-1, secretHash: "$2a$04$x"}]`, "clients[0]: give secret or secretHash, not both"},
		// Another cost would make this client's checks take another time than the decoy's.
		{`clients: [{clientId: a, name: A, type: API}, {clientId: x, name: X, type: API, secretHash: "$2a$04$Dv7tKK.qVjTftuvJG.iBr.NjBnTd/3VbmoxAmMOSv4/IsM4ELPTpK"}]`, "clients[1].secretHash: bcrypt cost 4, want 10"},
	} {
		err := load(t, s, tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want %q", tc.text, err, tc.wantErr)
		}
	}
}

func TestPendingMigrations(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 0 {
			t.Fatalf("after Migrate: pending %v, err %v", pending, err)
		}
		if err := store.GormForTests(s).Exec("DELETE FROM schema_migrations WHERE version = 4").Error; err != nil {
			t.Fatal(err)
		}
		if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 1 || pending[0] != "0004_client_secrets.sql" {
			t.Fatalf("pending %v, err %v; want 0004_client_secrets.sql", pending, err)
		}
		// A migration applied by a newer release is not pending and keeps this one ready.
		if err := store.GormForTests(s).Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (4, 'x', CURRENT_TIMESTAMP), (9999, 'future.sql', CURRENT_TIMESTAMP)").Error; err != nil {
			t.Fatal(err)
		}
		if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 0 {
			t.Fatalf("with a newer migration applied: pending %v, err %v", pending, err)
		}
	})
}
