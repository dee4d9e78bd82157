package store

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
	"time"

	"gorm.io/gorm"
)

// SQLite parses every statement it is given afresh, and on this build (SQLite compiled to
// WebAssembly) parsing was a quarter of a grant creation's CPU under load (issue 12's
// profile). preparedPool is the connection pool as GORM sees it on SQLite: every statement,
// in a transaction or not, runs as a statement prepared on the *sql.DB, which database/sql
// prepares once on each connection and reuses there. GORM's own PrepareStmt does not do
// it for us: a statement it first meets inside a transaction it prepares on that
// transaction alone, so again in every transaction — and ours all run in transactions.
// (pgx already keeps statements prepared on each PostgreSQL connection.)
type preparedPool struct {
	db         *sql.DB
	statements *statementCache
}

// newPreparedPool puts a cache of prepared statements between GORM and db: the gorm.DB's
// statements, and those of every session made from it, go through it from now on. (Its
// gorm.Config, and so Config.ConnPool, is shared with the store's other pools: only the
// statement's pool is its own.)
func newPreparedPool(gdb *gorm.DB, db *sql.DB, capacity int) {
	gdb.Statement.ConnPool = &preparedPool{db: db, statements: newStatementCache(db, capacity)}
}

// GetDBConn lets gorm.DB.DB() find the *sql.DB.
func (p *preparedPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *preparedPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p *preparedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.statements.exec(ctx, nil, query, args)
}

func (p *preparedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.statements.query(ctx, nil, query, args)
}

func (p *preparedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.statements.queryRow(ctx, nil, query, args)
}

// BeginTx makes GORM's transactions use the cache too.
func (p *preparedPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &preparedTx{Tx: tx, statements: p.statements}, nil
}

// preparedTx is a transaction whose statements come from the pool's cache.
type preparedTx struct {
	*sql.Tx
	statements *statementCache
}

func (t *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.statements.exec(ctx, t.Tx, query, args)
}

func (t *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.statements.query(ctx, t.Tx, query, args)
}

func (t *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.statements.queryRow(ctx, t.Tx, query, args)
}

// statementCache keeps the most recently used statements prepared, capacity of them: a
// statement's text differs with the length of its IN lists and the shape of an Oracle q,
// so the texts are many and caller-driven, and the cache must be bounded. A statement
// pushed out is closed once no call is using it any longer.
//
// A statement is prepared the second time it is met, so that one-off texts (a seed file's
// batches, the sealer's) never take a place. Met inside a transaction it runs unprepared
// there and is prepared in the background: preparing it on the *sql.DB needs a connection
// of its own, and the transaction holds one — on SQLite's writer, the only one.
type statementCache struct {
	db        *sql.DB
	capacity  int
	mu        sync.Mutex
	entries   map[string]*list.Element // of *cachedStatement, most recent first
	recency   list.List
	preparing map[string]bool
	seenOnce  map[string]bool // texts met once, forgotten all together beyond 4×capacity
	// background counts the preparations running in the background; stopped, none starts.
	background sync.WaitGroup
	stopped    bool
}

type cachedStatement struct {
	query   string
	stmt    *sql.Stmt
	users   int  // calls between acquire and release
	evicted bool // out of the cache: closed when users falls to 0
}

// backgroundPrepareTimeout bounds a background preparation's wait for a connection.
const backgroundPrepareTimeout = 10 * time.Second

func newStatementCache(db *sql.DB, capacity int) *statementCache {
	return &statementCache{db: db, capacity: capacity, entries: map[string]*list.Element{},
		preparing: map[string]bool{}, seenOnce: map[string]bool{}}
}

// acquire returns query's prepared statement, or nil when the call is to run it
// unprepared: the first time it is met, and inside a transaction until the background
// preparation is done. Release a statement when the call that uses it has returned
// (database/sql keeps a closed statement's preparation alive for the rows still being read).
func (c *statementCache) acquire(ctx context.Context, tx *sql.Tx, query string) (*cachedStatement, error) {
	c.mu.Lock()
	if element, ok := c.entries[query]; ok {
		entry := c.useLocked(element, 1)
		c.mu.Unlock()
		return entry, nil
	}
	if !c.seenOnce[query] {
		if len(c.seenOnce) >= 4*c.capacity {
			clear(c.seenOnce)
		}
		c.seenOnce[query] = true
		c.mu.Unlock()
		return nil, nil
	}
	if tx != nil {
		if !c.preparing[query] && !c.stopped {
			c.preparing[query] = true
			c.background.Go(func() { c.prepareInBackground(query) })
		}
		c.mu.Unlock()
		return nil, nil
	}
	c.mu.Unlock()
	stmt, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	delete(c.seenOnce, query)
	c.mu.Unlock()
	return c.add(query, stmt, 1), nil
}

func (c *statementCache) prepareInBackground(query string) {
	ctx, cancel := context.WithTimeout(context.Background(), backgroundPrepareTimeout)
	defer cancel()
	stmt, err := c.db.PrepareContext(ctx, query)
	c.mu.Lock()
	delete(c.preparing, query)
	delete(c.seenOnce, query)
	c.mu.Unlock()
	if err == nil { // else the next use tries again
		c.add(query, stmt, 0)
	}
}

// add caches stmt for query (or uses the one another call cached meanwhile, closing stmt)
// with users calls using it, and pushes the least recently used out beyond capacity.
func (c *statementCache) add(query string, stmt *sql.Stmt, users int) *cachedStatement {
	c.mu.Lock()
	defer c.mu.Unlock()
	if element, ok := c.entries[query]; ok {
		_ = stmt.Close()
		return c.useLocked(element, users)
	}
	entry := &cachedStatement{query: query, stmt: stmt, users: users}
	c.entries[query] = c.recency.PushFront(entry)
	for c.recency.Len() > c.capacity {
		oldest := c.recency.Back()
		c.recency.Remove(oldest)
		evicted := oldest.Value.(*cachedStatement)
		delete(c.entries, evicted.query)
		evicted.evicted = true
		if evicted.users == 0 {
			_ = evicted.stmt.Close()
		}
	}
	return entry
}

// stop lets no more background preparations start and waits for those running: the pool
// is about to close, and a preparation opening a connection then would reopen the database.
func (c *statementCache) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.background.Wait()
}

// useLocked marks a cached statement most recently used, by users more calls.
func (c *statementCache) useLocked(element *list.Element, users int) *cachedStatement {
	c.recency.MoveToFront(element)
	entry := element.Value.(*cachedStatement)
	entry.users += users
	return entry
}

func (c *statementCache) release(entry *cachedStatement) {
	if entry == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	entry.users--
	if entry.evicted && entry.users == 0 {
		_ = entry.stmt.Close()
	}
}

// runner runs a call: a statement, a transaction or the pool.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// preparedRunner runs a prepared statement; the query's text is its own.
type preparedRunner struct{ stmt *sql.Stmt }

func (r preparedRunner) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return r.stmt.ExecContext(ctx, args...)
}

func (r preparedRunner) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return r.stmt.QueryContext(ctx, args...)
}

func (r preparedRunner) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return r.stmt.QueryRowContext(ctx, args...)
}

// runnerOf returns what runs a call: entry's statement (on tx's connection when there is
// a transaction), or, with none, tx or the pool.
func (c *statementCache) runnerOf(ctx context.Context, tx *sql.Tx, entry *cachedStatement) runner {
	switch {
	case entry == nil && tx != nil:
		return tx
	case entry == nil:
		return c.db
	case tx != nil:
		return preparedRunner{tx.StmtContext(ctx, entry.stmt)}
	default:
		return preparedRunner{entry.stmt}
	}
}

func (c *statementCache) exec(ctx context.Context, tx *sql.Tx, query string, args []any) (sql.Result, error) {
	entry, err := c.acquire(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	defer c.release(entry)
	return c.runnerOf(ctx, tx, entry).ExecContext(ctx, query, args...)
}

func (c *statementCache) query(ctx context.Context, tx *sql.Tx, query string, args []any) (*sql.Rows, error) {
	entry, err := c.acquire(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	defer c.release(entry)
	return c.runnerOf(ctx, tx, entry).QueryContext(ctx, query, args...)
}

func (c *statementCache) queryRow(ctx context.Context, tx *sql.Tx, query string, args []any) *sql.Row {
	entry, err := c.acquire(ctx, tx, query)
	if err != nil {
		// Only outside a transaction can preparing fail here; *sql.Row cannot be made to
		// carry err, so run it unprepared, where it fails the same way.
		return c.db.QueryRowContext(ctx, query, args...)
	}
	defer c.release(entry)
	return c.runnerOf(ctx, tx, entry).QueryRowContext(ctx, query, args...)
}
