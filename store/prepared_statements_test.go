package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/gorm"
)

// openCachedSQLite is a SQLite pool of maxConns connections behind a statement cache of
// capacity, with a table t(n) holding 1..10.
func openCachedSQLite(t *testing.T, maxConns, capacity int) (*gorm.DB, *statementCache) {
	t.Helper()
	db, err := gorm.Open(gormlite.Open(sqliteDSN(filepath.Join(t.TempDir(), "cache.db"))), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	sqlDB.SetMaxOpenConns(maxConns)
	if err := db.Exec("CREATE TABLE t (n INTEGER PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 10; n++ {
		if err := db.Exec("INSERT INTO t (n) VALUES (?)", n).Error; err != nil {
			t.Fatal(err)
		}
	}
	newPreparedPool(db, sqlDB, capacity)
	return db, db.Statement.ConnPool.(*preparedPool).statements
}

func (c *statementCache) cached(query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[query]
	return ok
}

// TestStatementCacheOnOneConnection: on a pool of one connection (SQLite's writer), a
// statement met again inside a transaction neither waits for a second connection nor
// fails, and is prepared for the transactions after it; a text met once is not prepared.
func TestStatementCacheOnOneConnection(t *testing.T) {
	db, cache := openCachedSQLite(t, 1, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const query = "SELECT COUNT(*) FROM t WHERE n > ?"
	for round := range 4 {
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for range 3 {
				var count int64
				if err := tx.Raw(query, 3).Scan(&count).Error; err != nil {
					return err
				}
				if count != 7 {
					return fmt.Errorf("count %d, want 7", count)
				}
			}
			return tx.Exec("UPDATE t SET n = n WHERE n = ?", round).Error
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !cache.cached(query) {
		if time.Now().After(deadline) {
			t.Fatal("the statement met again was never prepared")
		}
		time.Sleep(10 * time.Millisecond)
	}
	const once = "SELECT COUNT(*) FROM t WHERE n < ?"
	var count int64
	if err := db.Raw(once, 3).Scan(&count).Error; err != nil || count != 2 {
		t.Fatalf("count %d, %v", count, err)
	}
	if cache.cached(once) {
		t.Fatal("a text met once was prepared")
	}
}

// TestStatementCacheEvictsWhileInUse: many goroutines run more distinct statements than
// the cache holds, in and out of transactions, on a pool of 4: every result is right, and a
// statement pushed out while another call uses it is closed only after that call (run with
// -race). The cache never holds more than its capacity.
func TestStatementCacheEvictsWhileInUse(t *testing.T) {
	db, cache := openCachedSQLite(t, 4, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for worker := range 16 {
		wg.Go(func() {
			for i := range 60 {
				limit := (worker + i) % 8 // 8 texts, capacity 3
				query := fmt.Sprintf("SELECT n FROM t WHERE n <= ? ORDER BY n LIMIT %d", limit+1)
				run := func(tx *gorm.DB) error {
					var ns []int64
					if err := tx.Raw(query, 10).Scan(&ns).Error; err != nil {
						return err
					}
					if len(ns) != limit+1 {
						return fmt.Errorf("%q: %d rows", query, len(ns))
					}
					return nil
				}
				var err error
				if i%2 == 0 {
					err = db.WithContext(ctx).Transaction(run, &sql.TxOptions{ReadOnly: true})
				} else {
					err = run(db.WithContext(ctx))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.recency.Len() > 3 || len(cache.entries) != cache.recency.Len() {
		t.Fatalf("cache holds %d statements (%d entries), capacity 3", cache.recency.Len(), len(cache.entries))
	}
	for element := cache.recency.Front(); element != nil; element = element.Next() {
		if entry := element.Value.(*cachedStatement); entry.users != 0 {
			t.Errorf("%q: %d users after every call returned", entry.query, entry.users)
		}
	}
}
