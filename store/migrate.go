package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one versioned SQL file, such as migrations/postgres/0001_init.sql.
type migration struct {
	version int64
	name    string
	sql     string
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int64     `gorm:"primaryKey;autoIncrement:false"`
	Name      string    `gorm:"not null"`
	AppliedAt time.Time `gorm:"not null"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// MigrationLockKey names the advisory lock that serializes the migrations of instances
// starting at once on PostgreSQL: pg_locks shows who holds it (an advisory lock with
// classid 1 and objid 3017056705, the key's halves), and tests hold it to play another instance.
const MigrationLockKey = 7_312_024_001

func (s *Store) migrations() ([]migration, error) {
	dir := path.Join("migrations", string(s.dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, entry := range entries {
		name := entry.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		prefix, _, _ := strings.Cut(name, "_")
		version, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		list = append(list, migration{version: version, name: name, sql: string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	return list, nil
}

// Migrate applies, in order and each in its own transaction, the migrations not yet applied.
// It returns the names of those it applied. On PostgreSQL the whole of it, creating
// schema_migrations included, runs under a session-level advisory lock held on one
// connection, so that instances starting together on a fresh database wait for each
// other instead of racing to create the same table. ctx bounds it all, the wait for the
// lock included.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	return s.MigrateReporting(ctx, func() {})
}

// MigrateReporting is Migrate that calls lockBusy, before waiting, when another session
// holds the migration lock: that wait has no end of its own, so the caller should say so.
func (s *Store) MigrateReporting(ctx context.Context, lockBusy func()) ([]string, error) {
	list, err := s.migrations()
	if err != nil {
		return nil, err
	}
	if s.checkpoints != nil {
		s.checkpoints.pause()
		defer s.checkpoints.resume()
	}
	var applied []string
	err = s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if s.dialect == Postgres {
			unlock, err := lockMigrations(ctx, conn.Statement.ConnPool.(*sql.Conn), lockBusy)
			if err != nil {
				return err
			}
			defer unlock()
		}
		// A session: each statement starts afresh, on the connection.
		applied, err = s.applyMigrations(conn.Session(&gorm.Session{}), list)
		return err
	})
	if len(applied) > 0 && s.dialect == SQLite {
		s.closeIdleConnections()
	}
	return applied, err
}

// closeIdleConnections closes the SQLite pools' idle connections, so that none opened
// before the migrations serves a request after them. A SQLite connection keeps the schema
// it read until a statement of its own finds it changed, and database/sql takes a query's
// columns before its first step: a SELECT * of a table a migration widened then comes back
// with the old column count, and the driver fails the first row (SQLITE_MISUSE) — a 500.
// The checkpointer is paused meanwhile (MigrateReporting), and at start-up nothing else
// holds a connection.
func (s *Store) closeIdleConnections() {
	for _, pool := range append(s.pools(), s.probe) {
		sqlDB, err := pool.DB()
		if err != nil {
			continue
		}
		idle := 1 // the writer's and the probe's
		if pool == s.db {
			idle = maxOpenConns
		}
		sqlDB.SetMaxIdleConns(0) // closes the idle ones
		sqlDB.SetMaxIdleConns(idle)
	}
}

// lockMigrations takes the migration lock on conn's session, calling lockBusy and then
// waiting while another session holds it; unlock releases it or, should that fail,
// discards the connection, which releases it as well.
func lockMigrations(ctx context.Context, conn *sql.Conn, lockBusy func()) (unlock func(), err error) {
	var taken bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", MigrationLockKey).Scan(&taken); err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	if !taken {
		lockBusy()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", MigrationLockKey); err != nil {
			return nil, fmt.Errorf("wait for the migration lock, which another session holds: %w", err)
		}
	}
	return func() {
		// Also when ctx has ended: a lock left on a pooled connection would block every
		// later migration.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(unlockCtx, "SELECT pg_advisory_unlock($1)", MigrationLockKey); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}

// applyMigrations runs on conn the migrations that schema_migrations does not list.
func (s *Store) applyMigrations(conn *gorm.DB, list []migration) ([]string, error) {
	if err := conn.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`).Error; err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range list {
		done := false
		err := conn.Transaction(func(tx *gorm.DB) error {
			var count int64
			if err := tx.Model(&schemaMigration{}).Where("version = ?", m.version).Count(&count).Error; err != nil {
				return err
			}
			if count > 0 {
				done = true
				return nil
			}
			if err := tx.Exec(m.sql).Error; err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if !done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// PendingMigrations lists the embedded migrations the database has not applied yet; an
// instance is ready to serve only when there are none. Migrations applied by a newer
// release are not counted, so older instances keep serving during a rolling upgrade. Like
// Ping, it reads on the probe's own connection.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	list, err := s.migrations()
	if err != nil {
		return nil, err
	}
	var applied []int64
	if err := s.probe.WithContext(ctx).Model(&schemaMigration{}).Pluck("version", &applied).Error; err != nil {
		return nil, availability(ctx, err)
	}
	var pending []string
	for _, m := range list {
		if !slices.Contains(applied, m.version) {
			pending = append(pending, m.name)
		}
	}
	return pending, nil
}
