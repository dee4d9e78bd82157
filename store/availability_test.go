package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestUnavailableDatabase: a PostgreSQL that is down fails Open, Ping and transactions with
// ErrUnavailable; once it is back, the same store works again without reopening.
func TestUnavailableDatabase(t *testing.T) {
	cluster := storetest.NewCluster(t)
	ctx := context.Background()
	opts := store.Options{DatabaseURL: cluster.URL()}
	if _, err := store.Open(ctx, opts); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open while the server is down: %v, want ErrUnavailable", err)
	}

	cluster.Start()
	s := storetest.OpenWith(t, opts)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	cluster.Stop()
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping while the server is down: %v", err)
	}
	err := s.View(ctx, func(tx *store.Tx) error { _, err := tx.UserByLogin("alice"); return err })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("View while the server is down: %v", err)
	}
	if _, err := s.PendingMigrations(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("PendingMigrations while the server is down: %v", err)
	}

	cluster.Start()
	err = s.View(ctx, func(tx *store.Tx) error { _, err := tx.UserByLogin("alice"); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("View after the restart: %v, want ErrNotFound", err)
	}
	// Other errors are not outages.
	if errors.Is(err, store.ErrUnavailable) {
		t.Error("ErrNotFound taken for an outage")
	}
}
