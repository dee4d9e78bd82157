package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// conflictStore is a PostgreSQL store with two lockable rows and a journal of what
// transactions wrote.
func conflictStore(t *testing.T) *store.Store {
	t.Helper()
	return postgresStoreWith(t, "deadlocks and serialization failures are PostgreSQL's",
		`CREATE TABLE lockable (id INT PRIMARY KEY)`,
		`INSERT INTO lockable VALUES (1), (2)`,
		`CREATE TABLE journal (writer TEXT NOT NULL)`)
}

func journal(t *testing.T, s *store.Store) []string {
	t.Helper()
	var writers []string
	if err := store.GormForTests(s).Raw("SELECT writer FROM journal ORDER BY writer").Scan(&writers).Error; err != nil {
		t.Fatal(err)
	}
	return writers
}

// TestDeadlockedTransactionIsRunAgain: two transactions locking two rows in opposite
// orders deadlock; PostgreSQL aborts one, which is run again and succeeds, having written
// once.
func TestDeadlockedTransactionIsRunAgain(t *testing.T) {
	s := conflictStore(t)
	var attempts atomic.Int32
	var bothHoldTheirFirstRow sync.WaitGroup
	bothHoldTheirFirstRow.Add(2)
	lockInOrder := func(writer string, first, second int) func(tx *store.Tx) error {
		var firstAttempt sync.Once
		return func(tx *store.Tx) error {
			attempts.Add(1)
			db := store.TxGormForTests(tx)
			if err := db.Exec("INSERT INTO journal VALUES (?)", writer).Error; err != nil {
				return err
			}
			if err := db.Exec("SELECT id FROM lockable WHERE id = ? FOR UPDATE", first).Error; err != nil {
				return err
			}
			firstAttempt.Do(func() { bothHoldTheirFirstRow.Done(); bothHoldTheirFirstRow.Wait() })
			return db.Exec("SELECT id FROM lockable WHERE id = ? FOR UPDATE", second).Error
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- s.Transaction(context.Background(), lockInOrder("a", 1, 2)) }()
	go func() { errs <- s.Transaction(context.Background(), lockInOrder("b", 2, 1)) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a transaction of the deadlock: %v, want it run again and committed", err)
		}
	}
	// At least one transaction ran again; its rerun may meet the other once more, which
	// PostgreSQL resolves the same way.
	if got := attempts.Load(); got < 3 {
		t.Errorf("%d attempts, want at least 3 (a transaction run again)", got)
	}
	if got := journal(t, s); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("journal %v, want each transaction's write once", got)
	}
}

// TestConflictAfterTheLastAttemptIsUnavailable: a transaction that meets a serialization
// failure at every attempt ends with ErrUnavailable after three, having written nothing.
func TestConflictAfterTheLastAttemptIsUnavailable(t *testing.T) {
	s := conflictStore(t)
	attempts := 0
	err := s.Transaction(context.Background(), func(tx *store.Tx) error {
		attempts++
		db := store.TxGormForTests(tx)
		if err := db.Exec("INSERT INTO journal VALUES ('conflicted')").Error; err != nil {
			return err
		}
		return db.Exec(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$`).Error
	})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("%v, want ErrUnavailable", err)
	}
	if attempts != 3 {
		t.Errorf("%d attempts, want 3", attempts)
	}
	if got := journal(t, s); len(got) != 0 {
		t.Errorf("journal %v, want nothing written", got)
	}
}

// TestOtherErrorsAreNotRetried: a transaction failing for any other reason runs once.
func TestOtherErrorsAreNotRetried(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		refused := errors.New("refused by a rule")
		attempts := 0
		err := s.Transaction(context.Background(), func(tx *store.Tx) error {
			attempts++
			return refused
		})
		if !errors.Is(err, refused) || attempts != 1 {
			t.Errorf("%v after %d attempts, want the rule's error after 1", err, attempts)
		}
	})
}

// TestSQLiteBusyIsUnavailable: a write that finds SQLite's single writer busy past the busy
// timeout is a database unavailable for now, not a failure of the request.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	opts := storetest.Options(t, store.SQLite)
	s := storetest.OpenWith(t, opts)
	// Another process's connection, without a busy timeout, finds the store writing.
	other, err := gorm.Open(gormlite.Open("file:"+filepath.Join(opts.DataDir, store.SQLiteFileName)+"?_pragma=busy_timeout(0)"),
		&gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := other.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	var busy error
	err = s.Transaction(context.Background(), func(tx *store.Tx) error {
		if err := store.TxGormForTests(tx).Exec("CREATE TABLE written (id INTEGER)").Error; err != nil {
			return err
		}
		busy = other.Exec("CREATE TABLE also_written (id INTEGER)").Error
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if busy == nil {
		t.Fatal("a second writer was not refused")
	}
	if err := store.AvailabilityForTests(context.Background(), busy); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("%v: want ErrUnavailable", err)
	}
	// Other SQLite errors are not the database being unavailable.
	duplicate := other.Exec("CREATE TABLE written (id INTEGER)").Error
	if duplicate == nil {
		t.Fatal("a table created twice")
	}
	if err := store.AvailabilityForTests(context.Background(), duplicate); errors.Is(err, store.ErrUnavailable) {
		t.Errorf("%v: a statement's own error taken for the database's unavailability", err)
	}
}
