package store

import (
	"database/sql"
	"os"
	"sync"
	"time"
)

// SQLite's WAL checkpoints run off the write path. By default the connection whose COMMIT
// takes the WAL past 1000 pages copies them back into the database file and syncs it, inside
// that COMMIT, while every other writer waits for the one writer connection (issue 12's
// profile: a third of a grant write's COMMIT at K=10). Every connection opens with automatic
// checkpoints off (sqliteDSN), and a checkpointer does them from a reader connection:
// PASSIVE, never waiting for readers or the writer, so writers go on meanwhile.
// Durability is unchanged: under synchronous=NORMAL a checkpoint is where SQLite syncs.
const checkpointInterval = 100 * time.Millisecond

// walTruncateBytes: a WAL past this size (readers kept checkpoints from catching up for
// long) is truncated by a checkpoint that waits for them and the writer.
var walTruncateBytes int64 = 64 << 20

// checkpointer runs SQLite's WAL checkpoints until it is closed.
type checkpointer struct {
	// db is the readers' pool itself, not GORM over it: a checkpoint is no request's
	// statement, and statement observers (tests counting a request's statements) must not see it.
	db         *sql.DB
	walPath    string
	stop, done chan struct{}
	stopOnce   sync.Once
	// paused is held while Migrate runs (pause): a connection the checkpointer opened
	// halfway through the migrations would keep the schema of that moment (see Migrate).
	paused sync.Mutex
}

func startCheckpointer(db *sql.DB, walPath string) *checkpointer {
	c := &checkpointer{db: db, walPath: walPath, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		ticker := time.NewTicker(checkpointInterval)
		defer ticker.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-ticker.C:
				// A failure (the database closing, say) is retried at the next tick.
				_ = c.pass()
			}
		}
	}()
	return c
}

// pass checkpoints once: PASSIVE, or TRUNCATE when the WAL has grown past walTruncateBytes.
func (c *checkpointer) pass() error {
	c.paused.Lock()
	defer c.paused.Unlock()
	mode := "PASSIVE"
	if info, err := os.Stat(c.walPath); err == nil && info.Size() > walTruncateBytes {
		mode = "TRUNCATE"
	}
	_, err := c.db.Exec("PRAGMA wal_checkpoint(" + mode + ")")
	return err
}

// pause holds the checkpointer's passes until resume.
func (c *checkpointer) pause() { c.paused.Lock() }

// resume lets the checkpointer's passes go on.
func (c *checkpointer) resume() { c.paused.Unlock() }

// close stops the checkpointer and waits for a checkpoint under way; again, it does nothing.
func (c *checkpointer) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}
