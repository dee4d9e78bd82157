package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

type sharedCtxKey struct{}

// sharedFixture holds customer 1, on whom the test grants, and the grantees 100–102.
func sharedFixture(t *testing.T) *store.Fixture {
	t.Helper()
	fixture, err := store.ParseFixture([]byte(`customers:
  - {id: "1", name: One, type: individual}
  - {id: "100", name: A, type: individual}
  - {id: "101", name: B, type: individual}
  - {id: "102", name: C, type: individual}
`))
	if err != nil {
		t.Fatal(err)
	}
	return fixture
}

// grantsOn counts the customers holding a grant on customer 1, in a View of s under ctx.
func grantsOn(t *testing.T, ctx context.Context, s *store.Store) int64 {
	t.Helper()
	var holders int64
	err := s.View(ctx, func(tx *store.Tx) error {
		counts, err := tx.CountGrants(1, []int64{100, 101, 102})
		holders = counts.Holders
		return err
	})
	if err != nil {
		t.Fatalf("count grants: %v", err)
	}
	return holders
}

// TestSharedTransactionJoinsOnlyItsOwnStore: the transactions of the store that runs
// SharedTransaction, called with fn's context or one derived from it, join its transaction
// (fn's error rolls them back); another Store's never do, even with that context: they run
// and commit on their own, in their own database, whatever fn returns.
func TestSharedTransactionJoinsOnlyItsOwnStore(t *testing.T) {
	derive := map[string]func(context.Context) context.Context{
		"fn's context": func(ctx context.Context) context.Context { return ctx },
		"a derived context": func(ctx context.Context) context.Context {
			return context.WithoutCancel(context.WithValue(ctx, sharedCtxKey{}, 1))
		},
	}
	cases := []struct {
		name string
		// writes: which store writes in fn ("shared": the one running SharedTransaction;
		// "other": a Store on another database; "beside": another Store on the same
		// database, PostgreSQL only: SQLite's write lock is the shared transaction's).
		writes []string
		// the store reads inside fn what was written before in fn
		view    string
		ctx     string
		fnFails bool
		// grants kept afterwards on the shared store's database and on the other's
		shared, other int64
	}{
		{name: "shared store commits with fn", writes: []string{"shared"}, ctx: "fn's context", shared: 1},
		{name: "shared store rolls back with fn", writes: []string{"shared"}, ctx: "fn's context", fnFails: true},
		{name: "shared store, derived context, rolls back with fn", writes: []string{"shared", "shared"}, ctx: "a derived context", fnFails: true},
		{name: "shared store sees its uncommitted write", writes: []string{"shared"}, view: "shared", ctx: "fn's context", shared: 1},
		{name: "other store commits on its own database", writes: []string{"other"}, ctx: "fn's context", other: 1},
		{name: "other store commits though fn fails", writes: []string{"other"}, ctx: "fn's context", fnFails: true, other: 1},
		{name: "other store, derived context, commits though fn fails", writes: []string{"shared", "other"}, ctx: "a derived context", fnFails: true, other: 1},
		{name: "other store does not see the shared write", writes: []string{"shared"}, view: "other", ctx: "fn's context", shared: 1},
		{name: "store beside on the same database commits though fn fails", writes: []string{"shared", "beside"}, ctx: "fn's context", fnFails: true, shared: 1},
		{name: "store beside does not see the shared write", writes: []string{"shared"}, view: "beside", ctx: "fn's context", shared: 1},
	}
	for _, dialect := range storetest.Dialects(t) {
		for _, c := range cases {
			t.Run(string(dialect)+"/"+c.name, func(t *testing.T) {
				usesBeside := c.view == "beside"
				for _, w := range c.writes {
					usesBeside = usesBeside || w == "beside"
				}
				if usesBeside && dialect == store.SQLite {
					t.Skip("SQLite: the shared transaction holds the database's write lock")
				}
				opts := storetest.Options(t, dialect)
				stores := map[string]*store.Store{"shared": storetest.OpenWith(t, opts), "other": storetest.Open(t, dialect)}
				for _, s := range stores {
					if err := s.LoadFixture(context.Background(), sharedFixture(t)); err != nil {
						t.Fatal(err)
					}
				}
				if usesBeside {
					stores["beside"] = storetest.OpenWith(t, opts)
				}
				failed := errors.New("fn failed")
				err := stores["shared"].SharedTransaction(context.Background(), func(ctx context.Context) error {
					ctx = derive[c.ctx](ctx)
					for i, w := range c.writes {
						err := stores[w].Transaction(ctx, func(tx *store.Tx) error {
							return tx.InsertGrants(1, []int64{int64(100 + i)})
						})
						if err != nil {
							return err
						}
					}
					if c.view != "" {
						if got, want := grantsOn(t, ctx, stores[c.view]), map[string]int64{"shared": 1}[c.view]; got != want {
							t.Errorf("%s store read %d grants inside fn, want %d", c.view, got, want)
						}
					}
					if c.fnFails {
						return failed
					}
					return nil
				})
				if c.fnFails != errors.Is(err, failed) || (!c.fnFails && err != nil) {
					t.Fatalf("SharedTransaction: %v", err)
				}
				for name, want := range map[string]int64{"shared": c.shared, "other": c.other} {
					if got := grantsOn(t, context.Background(), stores[name]); got != want {
						t.Errorf("%s store's database: %d grants, want %d", name, got, want)
					}
				}
			})
		}
	}
}
