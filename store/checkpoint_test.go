package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckpointsLeaveTheWritePath: on SQLite no COMMIT checkpoints (every connection has
// automatic checkpoints off), and the checkpointer's pass copies the WAL into the database
// (PASSIVE), or truncates it once it has grown past walTruncateBytes.
func TestCheckpointsLeaveTheWritePath(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.checkpoints.close() // the test runs its passes itself
	for _, pool := range append(s.pools(), s.probe) {
		var pages int
		if err := pool.Raw("PRAGMA wal_autocheckpoint").Scan(&pages).Error; err != nil || pages != 0 {
			t.Fatalf("wal_autocheckpoint = %d (%v), want 0", pages, err)
		}
	}
	// Writes past what an automatic checkpoint would have started at (1000 pages): new rows
	// of 3 KB, about four pages each with the b-tree's splits.
	payload := strings.Repeat("x", 3000)
	for i := range 400 {
		if err := s.writer.Exec("INSERT INTO settings (name, value) VALUES (?, ?)", fmt.Sprintf("filler-%04d", i), payload).Error; err != nil {
			t.Fatal(err)
		}
	}
	walPath, dbPath := filepath.Join(dir, SQLiteFileName)+"-wal", filepath.Join(dir, SQLiteFileName)
	// An automatic checkpoint would have restarted the WAL at 1000 pages (4 KiB each).
	if size := fileSize(t, walPath); size < 1200*4096 {
		t.Fatalf("WAL of %d bytes after 400 writes of 3 KB: a COMMIT checkpointed", size)
	}
	if size := fileSize(t, dbPath); size > 1<<20 {
		t.Fatalf("database file of %d bytes before any checkpoint", size)
	}
	if err := s.checkpoints.pass(); err != nil {
		t.Fatal(err)
	}
	if size := fileSize(t, dbPath); size < 400*3000 {
		t.Errorf("database file of %d bytes after a pass: the WAL was not copied back", size)
	}
	walTruncateBytes = fileSize(t, walPath) - 1
	defer func() { walTruncateBytes = 64 << 20 }()
	if err := s.checkpoints.pass(); err != nil {
		t.Fatal(err)
	}
	if size := fileSize(t, walPath); size != 0 {
		t.Errorf("WAL of %d bytes after a pass past walTruncateBytes, want it truncated", size)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}
