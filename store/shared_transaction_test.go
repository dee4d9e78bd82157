package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
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

// TestSharedTransactionInConflictIsRunAgain: two shared transactions, each running two
// Transactions that update customers 100 and 101, in opposite orders, both holding their
// first row before taking the second: they deadlock and PostgreSQL aborts one's work. As
// for a batch, whose part answers the conflict with a 500 of its own, fn does not return
// the conflict (it answers with an error of its own, or ignores it): the aborted shared
// transaction is run again whole all the same, so both succeed, each update applied once,
// every round.
func TestSharedTransactionInConflictIsRunAgain(t *testing.T) {
	storetest.RequirePostgres(t, "SQLite has one writer, so no deadlock")
	const rounds = 10
	answers := []struct {
		name   string
		answer func(err error) error
	}{
		{"fn answers with an error of its own", func(err error) error { return fmt.Errorf("part failed with 500: %v", err) }},
		{"fn ignores the error", func(error) error { return nil }},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			s := storetest.Open(t, store.Postgres)
			if err := s.LoadFixture(context.Background(), sharedFixture(t)); err != nil {
				t.Fatal(err)
			}
			for round := range rounds {
				var attempts atomic.Int32
				var bothHoldTheirFirstRow sync.WaitGroup
				bothHoldTheirFirstRow.Add(2)
				run := func(writer string, first, second int64) error {
					var firstAttempt sync.Once
					return s.SharedTransaction(context.Background(), func(ctx context.Context) error {
						attempts.Add(1)
						update := func(id int64) error {
							return s.Transaction(ctx, func(tx *store.Tx) error {
								return store.TxGormForTests(tx).Exec("UPDATE customers SET name = name || ? WHERE id = ?", writer, id).Error
							})
						}
						if err := update(first); err != nil {
							return a.answer(err)
						}
						firstAttempt.Do(func() { bothHoldTheirFirstRow.Done(); bothHoldTheirFirstRow.Wait() })
						if err := update(second); err != nil {
							return a.answer(err)
						}
						return nil
					})
				}
				errs := make(chan error, 2)
				go func() { errs <- run("x", 100, 101) }()
				go func() { errs <- run("y", 101, 100) }()
				for range 2 {
					if err := <-errs; err != nil {
						t.Errorf("round %d: a shared transaction of the deadlock: %v, want it run again and committed", round, err)
					}
				}
				if got := attempts.Load(); got < 3 {
					t.Errorf("round %d: %d attempts, want at least 3 (a shared transaction run again)", round, got)
				}
				for _, id := range []int64{100, 101} {
					var name string
					if err := store.GormForTests(s).Raw("SELECT name FROM customers WHERE id = ?", id).Scan(&name).Error; err != nil {
						t.Fatal(err)
					}
					if x, y := strings.Count(name, "x"), strings.Count(name, "y"); x != round+1 || y != round+1 {
						t.Fatalf("round %d: customer %d named %q, want each shared transaction's update applied once a round", round, id, name)
					}
				}
			}
		})
	}
}

// TestSharedTransactionConflictAttempts: a shared transaction whose joined work meets a
// conflict at every attempt, fn answering with an error of its own, is run three times and
// ends with ErrUnavailable, having written nothing; joined work failing otherwise ends it
// at once with fn's error.
func TestSharedTransactionConflictAttempts(t *testing.T) {
	cases := []struct {
		name        string
		errcode     string
		attempts    int
		unavailable bool
	}{
		{name: "a serialization failure every time", errcode: "serialization_failure", attempts: 3, unavailable: true},
		{name: "a deadlock every time", errcode: "deadlock_detected", attempts: 3, unavailable: true},
		{name: "another error", errcode: "unique_violation", attempts: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := conflictStore(t)
			answered := errors.New("part failed with 500")
			attempts := 0
			err := s.SharedTransaction(context.Background(), func(ctx context.Context) error {
				attempts++
				if err := s.Transaction(ctx, func(tx *store.Tx) error {
					return store.TxGormForTests(tx).Exec("INSERT INTO journal VALUES ('shared')").Error
				}); err != nil {
					return err
				}
				if err := s.Transaction(ctx, func(tx *store.Tx) error {
					return store.TxGormForTests(tx).Exec(`DO $$ BEGIN RAISE EXCEPTION 'failed' USING ERRCODE = '` + c.errcode + `'; END $$`).Error
				}); err != nil {
					return answered
				}
				return nil
			})
			if c.unavailable != errors.Is(err, store.ErrUnavailable) || c.unavailable == errors.Is(err, answered) {
				t.Errorf("%v, want ErrUnavailable %v", err, c.unavailable)
			}
			if attempts != c.attempts {
				t.Errorf("%d attempts, want %d", attempts, c.attempts)
			}
			if got := journal(t, s); len(got) != 0 {
				t.Errorf("journal %v, want nothing written", got)
			}
		})
	}
}
