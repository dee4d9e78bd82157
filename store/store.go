// Package store keeps custaccess's data: record types, migrations, queries, transactions and
// seed fixtures, over PostgreSQL or embedded SQLite; it knows nothing of HTTP or of gen's types.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a Store.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// SQLiteFileName is the database file kept in the data directory when no PostgreSQL URL is given.
const SQLiteFileName = "custaccess.db"

// maxOpenConns bounds each instance's connection pool. The readiness probe has one
// connection of its own besides (see Store.probe).
const maxOpenConns = 16

// Sentinel errors owned by the store.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: conflict")
)

// sentinel maps GORM's errors that have a meaning to this layer's callers onto the store's
// sentinels: no row is ErrNotFound, a unique-key violation ErrConflict; others pass as they are.
func sentinel(err error) error {
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrConflict
	}
	return err
}

// Options chooses the database.
type Options struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://.
	DatabaseURL string
	// DataDir holds the SQLite file when DatabaseURL is empty.
	DataDir string
}

// preparedStatements bounds the statements each SQLite pool keeps prepared (see
// preparedPool).
const preparedStatements = 256

// Store is the data layer: open it once, share it between requests.
type Store struct {
	db *gorm.DB
	// probe is a pool of one connection, apart from db's, for Ping and PendingMigrations:
	// requests that hold every connection of db make the instance busy, not its database
	// unreachable, and /readyz must tell the two apart, or every instance of a busy
	// service would be reported down at once. A database that does not answer fails the
	// probe all the same.
	probe *gorm.DB
	// writer runs write transactions: db itself on PostgreSQL, one connection of its own on
	// SQLite (see openSQLiteWriter).
	writer  *gorm.DB
	dialect Dialect
	// checkpoints runs SQLite's WAL checkpoints (nil on PostgreSQL).
	checkpoints *checkpointer
	// writeGroups runs SQLite's write transactions, several to a COMMIT (nil on PostgreSQL).
	writeGroups *writeGroups
}

// IsPostgresURL tells whether url selects PostgreSQL.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open connects to PostgreSQL or opens (creating it when missing) the embedded SQLite file.
// A database that does not answer fails it with ErrUnavailable. It does not run
// migrations: call Migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	config := &gorm.Config{
		TranslateError: true,
		// Seed files can hold thousands of rows; batches keep each insert under the
		// databases' limits on bound parameters (32766 for SQLite, 65535 for PostgreSQL).
		CreateBatchSize: 1000,
		Logger:          logger.Default.LogMode(logger.Silent),
		NowFunc:         func() time.Time { return time.Now().UTC() },
	}
	// gorm.Open's own ping has no context and waits forever on a database that hangs: the
	// ping below follows ctx.
	config.DisableAutomaticPing = true
	var (
		// newDialector gives each pool (the requests', the probe's) a dialector of its own.
		newDialector func() gorm.Dialector
		dialect      Dialect
	)
	switch {
	case IsPostgresURL(opts.DatabaseURL):
		newDialector, dialect = func() gorm.Dialector { return postgres.Open(opts.DatabaseURL) }, Postgres
	case opts.DatabaseURL == "":
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		dsn := sqliteDSN(filepath.Join(opts.DataDir, SQLiteFileName))
		newDialector, dialect = func() gorm.Dialector { return gormlite.Open(dsn) }, SQLite
	default:
		return nil, fmt.Errorf("unsupported database URL: want postgres:// or postgresql://, or none for the embedded SQLite")
	}
	db, err := gorm.Open(newDialector(), config)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, availability(ctx, err))
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// Bounded so that many instances and bursts of requests stay under the server's
	// max_connections; requests beyond it wait for a free connection.
	sqlDB.SetMaxOpenConns(maxOpenConns)
	sqlDB.SetMaxIdleConns(maxOpenConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("reach %s database: %w", dialect, availability(ctx, err))
	}
	// Connected only when first used, by the first probe.
	probe, err := gorm.Open(newDialector(), config)
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open %s database: %w", dialect, availability(ctx, err))
	}
	probeDB, err := probe.DB()
	if err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	probeDB.SetMaxOpenConns(1)
	probeDB.SetMaxIdleConns(1)
	probeDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, writer: db, probe: probe, dialect: dialect}
	if dialect == SQLite {
		if s.writer, err = openSQLiteWriter(newDialector, config); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("open %s database: %w", dialect, availability(ctx, err))
		}
		writerDB, err := s.writer.DB()
		if err != nil {
			_ = s.Close()
			return nil, err
		}
		newPreparedPool(db, sqlDB, preparedStatements)
		newPreparedPool(s.writer, writerDB, preparedStatements)
		s.writeGroups = &writeGroups{writer: s.writer}
		s.checkpoints = startCheckpointer(sqlDB, filepath.Join(opts.DataDir, SQLiteFileName)+"-wal")
	}
	return s, nil
}

// openSQLiteWriter opens the one connection that SQLite's write transactions share. SQLite
// lets one writer in at a time; with every pooled connection free to BEGIN IMMEDIATE,
// concurrent writers would sleep in SQLite's busy-timeout backoff (up to 100 ms a step)
// instead of queueing. On one connection they queue in writeGroups, in arrival order, and
// those that queue while one runs share its transaction and its COMMIT; their wait follows
// the request's context. Readers keep the pool: WAL lets them read beside the writer.
func openSQLiteWriter(newDialector func() gorm.Dialector, config *gorm.Config) (*gorm.DB, error) {
	writer, err := gorm.Open(newDialector(), config)
	if err != nil {
		return nil, err
	}
	writerDB, err := writer.DB()
	if err != nil {
		return nil, err
	}
	writerDB.SetMaxOpenConns(1)
	writerDB.SetMaxIdleConns(1)
	writerDB.SetConnMaxIdleTime(5 * time.Minute)
	return writer, nil
}

// sqliteDSN turns on what the service relies on: WAL for concurrent readers (checkpointed by
// the checkpointer, not by the COMMIT that fills it), a busy timeout, foreign keys, and
// immediate transactions so read-then-write transactions take the write lock at BEGIN
// instead of failing with SQLITE_BUSY halfway.
func sqliteDSN(path string) string {
	return "file:" + filepath.ToSlash(path) +
		"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
}

// Dialect tells which database engine is in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the connection pool and the probe's connection.
func (s *Store) Close() error {
	if s.checkpoints != nil {
		s.checkpoints.close()
	}
	var errs []error
	for _, db := range append(s.pools(), s.probe) {
		if pool, ok := db.Statement.ConnPool.(*preparedPool); ok {
			pool.statements.stop()
		}
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.Close()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// pools are the connection pools requests use: db, and on SQLite the writer's.
func (s *Store) pools() []*gorm.DB {
	if s.writer == nil || s.writer == s.db {
		return []*gorm.DB{s.db}
	}
	return []*gorm.DB{s.db, s.writer}
}

// Tx is a unit of work: every query of one request goes through one Tx.
type Tx struct {
	db      *gorm.DB
	dialect Dialect
	// oracleRolesRead keeps each Oracle role as the transaction first read it, so that the
	// audit event of its change can say what it was before (no second read).
	oracleRolesRead map[int64]OracleSelfServiceRole
	// auditQueued is the audit event appended and not yet written (appendAudit);
	// auditWritten tells that one was written.
	auditQueued  *auditColumns
	auditWritten bool
	// group is the SQLite write group tx is one write of (nil on PostgreSQL and in reads):
	// tx's statements must not stop when their caller gives up, and its audit events wait
	// in the group to be chained at its COMMIT (see writeGroups).
	group *writeGroup
}

// Transaction runs fn in one database transaction: all of its writes or none.
// A database that cannot be reached in time fails it with ErrUnavailable; see
// inTransaction for when the outcome is then known.
func (s *Store) Transaction(ctx context.Context, fn func(tx *Tx) error) error {
	return s.inTransaction(ctx, nil, fn)
}

// View runs read-only work in one read-only transaction: one snapshot for all its queries
// (REPEATABLE READ on PostgreSQL; SQLite's transactions are snapshots), and on SQLite a
// deferred transaction, so readers never queue behind the single writer.
func (s *Store) View(ctx context.Context, fn func(tx *Tx) error) error {
	options := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		options.Isolation = sql.LevelRepeatableRead
	}
	return s.inTransaction(ctx, options, fn)
}

// ObserveStatements calls observe after every SQL statement the store runs, with its SQL
// text. It is instrumentation (statement counts in tests, metrics), never business logic.
// A second call replaces the first's observer (GORM keeps the last callback of a name).
func (s *Store) ObserveStatements(observe func(sql string)) error {
	if s.writeGroups != nil {
		s.writeGroups.observe.Store(&observe)
	}
	callback := func(db *gorm.DB) { observe(db.Statement.SQL.String()) }
	callbacks := s.db.Callback()
	for name, register := range map[string]func(string, func(*gorm.DB)) error{
		"query":  callbacks.Query().After("gorm:query").Register,
		"create": callbacks.Create().After("gorm:create").Register,
		"update": callbacks.Update().After("gorm:update").Register,
		"delete": callbacks.Delete().After("gorm:delete").Register,
		"row":    callbacks.Row().After("gorm:row").Register,
		"raw":    callbacks.Raw().After("gorm:raw").Register,
	} {
		if err := register("custaccess:observe_"+name, callback); err != nil {
			return err
		}
	}
	return nil
}
