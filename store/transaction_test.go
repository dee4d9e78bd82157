package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// postgresStoreWith is a PostgreSQL store on which statements have run; without
// PostgreSQL the test is skipped, for the reason given.
func postgresStoreWith(t *testing.T, why string, statements ...string) *store.Store {
	t.Helper()
	storetest.RequirePostgres(t, why)
	s := storetest.Open(t, store.Postgres)
	for _, sql := range statements {
		if err := store.GormForTests(s).Exec(sql).Error; err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// slowCommitStore is a PostgreSQL store with a table whose COMMIT takes the given time: a
// deferred constraint trigger sleeps when the transaction commits.
func slowCommitStore(t *testing.T, commit time.Duration) *store.Store {
	t.Helper()
	return postgresStoreWith(t, "a deferred trigger makes COMMIT slow",
		`CREATE TABLE slow_commit (id INT PRIMARY KEY)`,
		`CREATE FUNCTION slow_commit_sleep() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN PERFORM pg_sleep(`+fmt.Sprint(commit.Seconds())+`); RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER slow_commit_trigger AFTER INSERT ON slow_commit
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit_sleep()`)
}

func insertSlowCommitRow(s *store.Store, ctx context.Context) error {
	return s.Transaction(ctx, func(tx *store.Tx) error {
		return store.TxGormForTests(tx).Exec("INSERT INTO slow_commit VALUES (1)").Error
	})
}

// TestCommitOutlivesTheDeadline: a deadline that passes while COMMIT runs does not cut it
// off, so the caller is never told the database failed while its change was committed.
func TestCommitOutlivesTheDeadline(t *testing.T) {
	s := slowCommitStore(t, 3*time.Second)
	// Ample time for BEGIN and the INSERT, not for the COMMIT.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := insertSlowCommitRow(s, ctx); err != nil {
		t.Fatalf("a COMMIT running past the deadline: %v, want it to complete", err)
	}
	var rows int64
	if err := store.GormForTests(s).Raw("SELECT count(*) FROM slow_commit").Scan(&rows).Error; err != nil || rows != 1 {
		t.Errorf("%d rows, %v; want the committed one", rows, err)
	}
}

// TestCommitIsBounded: a COMMIT that does not end within the store's own bound fails with
// ErrUnavailable, the outcome unknown.
func TestCommitIsBounded(t *testing.T) {
	s := slowCommitStore(t, 5*time.Second)
	store.SetCommitTimeoutForTests(t, 300*time.Millisecond)
	start := time.Now()
	if err := insertSlowCommitRow(s, context.Background()); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("a COMMIT past its bound: %v, want ErrUnavailable", err)
	}
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Errorf("COMMIT bounded by 300ms took %v", elapsed)
	}
}
