package store_test

import (
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestSQLiteConnectionSettings: the settings the service relies on hold on the writer
// connection and on the readers: WAL, synchronous NORMAL, foreign keys, no checkpoint inside
// a COMMIT (the checkpointer's), a busy timeout.
func TestSQLiteConnectionSettings(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	want := map[string]string{"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "wal_autocheckpoint": "0", "busy_timeout": "10000"}
	for _, writer := range []bool{true, false} {
		for pragma, value := range want {
			if got := store.SQLitePragmaForTests(t, s, writer, pragma); got != value {
				t.Errorf("writer %v: %s = %s, want %s", writer, pragma, got, value)
			}
		}
	}
}
