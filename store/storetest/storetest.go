// Package storetest gives each test fresh, migrated databases: an embedded SQLite always,
// and a PostgreSQL database of its own when TEST_DATABASE_URL is set. With CI=true a missing
// TEST_DATABASE_URL fails the test instead of skipping PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/custaccess/custaccess/store"
)

// Dialects lists the databases the tests of this run cover.
func Dialects(t testing.TB) []store.Dialect {
	t.Helper()
	dialects := []store.Dialect{store.SQLite}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		dialects = append(dialects, store.Postgres)
	} else if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI")
	}
	return dialects
}

// RequirePostgres skips the test unless PostgreSQL is among the dialects, saying why the
// test is PostgreSQL's only.
func RequirePostgres(t testing.TB, why string) {
	t.Helper()
	if !slices.Contains(Dialects(t), store.Postgres) {
		t.Skip("PostgreSQL only (TEST_DATABASE_URL): " + why)
	}
}

// ForEach runs fn once per dialect, each time on a fresh, migrated database.
func ForEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, dialect := range Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a fresh, migrated store of the given dialect, removed when the test ends.
func Open(t testing.TB, dialect store.Dialect) *store.Store {
	t.Helper()
	return OpenWith(t, Options(t, dialect))
}

// OpenWith opens and migrates a store on options made by Options.
func OpenWith(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Options creates an empty database of the given dialect and returns how to reach it: a
// new SQLite directory, or a new PostgreSQL database dropped when the test ends.
func Options(t testing.TB, dialect store.Dialect) store.Options {
	t.Helper()
	if dialect == store.SQLite {
		return store.Options{DataDir: t.TempDir()}
	}
	return store.Options{DatabaseURL: createPostgresDatabase(t)}
}

func createPostgresDatabase(t testing.TB) string {
	t.Helper()
	adminURL := os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		t.Fatal("TEST_DATABASE_URL is not set")
	}
	admin, err := gorm.Open(postgres.Open(adminURL), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	adminDB, _ := admin.DB()
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	name := "custaccess_test_" + hex.EncodeToString(suffix)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		_ = adminDB.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer adminDB.Close()
		if err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Exec runs SQL on the database that opts reach, beside the store: for tests that put a
// database into a state the store would never produce.
func Exec(t testing.TB, opts store.Options, sql string) {
	t.Helper()
	db, done := openBeside(t, opts)
	defer done()
	if err := db.Exec(sql).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Rows reads every row of the record type dest points to a slice of, ordered by order, on
// the database that opts reach, beside the store: for tests that check what was stored.
func Rows(t testing.TB, opts store.Options, dest any, order string) {
	t.Helper()
	db, done := openBeside(t, opts)
	defer done()
	if err := db.Order(order).Find(dest).Error; err != nil {
		t.Fatalf("read rows: %v", err)
	}
}

// openBeside opens a connection of its own to the database that opts reach; done closes it.
func openBeside(t testing.TB, opts store.Options) (db *gorm.DB, done func()) {
	t.Helper()
	var dialector gorm.Dialector
	if opts.DatabaseURL != "" {
		dialector = postgres.Open(opts.DatabaseURL)
	} else {
		dialector = gormlite.Open(filepath.Join(opts.DataDir, store.SQLiteFileName))
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	sqlDB, _ := db.DB()
	return db, func() { _ = sqlDB.Close() }
}

// HoldMigrationLock takes, on a PostgreSQL connection of its own, the lock that Migrate
// waits for, as another instance migrating the database would; release (or the test's
// end) lets it go.
func HoldMigrationLock(t testing.TB, opts store.Options) (release func()) {
	t.Helper()
	db, done := openBeside(t, opts)
	sqlDB, _ := db.DB()
	// One connection, so that the lock and its release share the session.
	sqlDB.SetMaxOpenConns(1)
	if err := db.Exec("SELECT pg_advisory_lock(?)", store.MigrationLockKey).Error; err != nil {
		done()
		t.Fatalf("take the migration lock: %v", err)
	}
	var once sync.Once
	release = func() { once.Do(done) } // closing the session releases the lock
	t.Cleanup(release)
	return release
}

// BlockWrites holds, on a connection of its own, a transaction that blocks every write to
// the database that opts reach while reads go on: SQLite's write lock (BEGIN IMMEDIATE),
// or a SHARE lock on every table of PostgreSQL's public schema. Writers wait for it, each
// on a connection of its pool. release (or the test's end) ends the transaction.
func BlockWrites(t testing.TB, opts store.Options) (release func()) {
	t.Helper()
	db, done := openBeside(t, opts)
	statements := []string{"BEGIN IMMEDIATE"}
	if opts.DatabaseURL != "" {
		var tables []string
		if err := db.Raw("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables).Error; err != nil {
			done()
			t.Fatalf("list the tables: %v", err)
		}
		statements = []string{"BEGIN", "LOCK TABLE " + strings.Join(tables, ", ") + " IN SHARE MODE"}
	}
	// A connection taken out of the pool: the statements share its session, and no pool
	// resets it (pgx would discard a connection returned inside a transaction).
	sqlDB, _ := db.DB()
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		done()
		t.Fatalf("connect: %v", err)
	}
	for _, statement := range statements {
		if _, err := conn.ExecContext(context.Background(), statement); err != nil {
			_ = conn.Close()
			done()
			t.Fatalf("%s: %v", statement, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			_ = conn.Close()
			done()
		})
	}
	t.Cleanup(release)
	return release
}
