package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestConcurrentMigrationsOfAFreshDatabase: instances starting together on an empty
// database all migrate it without error, and each migration is applied exactly once.
func TestConcurrentMigrationsOfAFreshDatabase(t *testing.T) {
	const instances = 8
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			ctx := context.Background()
			stores := make([]*store.Store, instances)
			for i := range stores {
				s, err := store.Open(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				stores[i] = s
			}
			start := make(chan struct{})
			applied := make([][]string, instances)
			errs := make([]error, instances)
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Go(func() {
					<-start
					applied[i], errs[i] = s.Migrate(ctx)
				})
			}
			close(start)
			wg.Wait()
			count := map[string]int{}
			for i := range stores {
				if errs[i] != nil {
					t.Errorf("instance %d: %v", i, errs[i])
				}
				for _, name := range applied[i] {
					count[name]++
				}
			}
			pending, err := stores[0].PendingMigrations(ctx)
			if err != nil || len(pending) != 0 {
				t.Errorf("pending after the migrations: %v, %v", pending, err)
			}
			if len(count) == 0 {
				t.Fatal("no instance applied anything")
			}
			for name, n := range count {
				if n != 1 {
					t.Errorf("%s applied %d times", name, n)
				}
			}
		})
	}
}
