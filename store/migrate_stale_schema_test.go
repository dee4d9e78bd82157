package store

import (
	"context"
	"database/sql"
	"testing"

	"gorm.io/gorm"
)

// TestReadsAfterMigrateSeeTheNewSchema: connections opened before a migration widened a
// table (as Open's, or the checkpointer's) must not serve a SELECT * of it after Migrate: a
// SQLite connection keeps the schema it read, database/sql takes the columns before the
// first step, and the driver then fails the first row with SQLITE_MISUSE. Every reader
// connection is taken at once after Migrate, so a stale one left in the pool is used.
func TestReadsAfterMigrateSeeTheNewSchema(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Up to 0004 reltio_roles has 3 columns; 0005 adds two.
	var before []migration
	for _, m := range list {
		if m.version < 5 {
			before = append(before, m)
		}
	}
	if _, err := s.applyMigrations(s.db.Session(&gorm.Session{}), before); err != nil {
		t.Fatal(err)
	}
	if err := s.writer.Exec("INSERT INTO reltio_customers (id) VALUES ('TestCustomer')").Error; err != nil {
		t.Fatal(err)
	}
	if err := s.writer.Exec("INSERT INTO reltio_roles (customer_id, name) VALUES ('TestCustomer', 'ROLE_X')").Error; err != nil {
		t.Fatal(err)
	}
	readers, err := s.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	// Three reader connections read the schema as it is now, and go back to the pool.
	conns := holdConnections(t, readers, 3)
	for _, conn := range conns {
		if _, err := conn.ExecContext(ctx, "SELECT count(*) FROM reltio_roles"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, conn := range holdConnections(t, readers, 5) {
		rows, err := conn.QueryContext(ctx, "SELECT * FROM reltio_roles")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("a reader's SELECT * after Migrate: %v", err)
		}
		rows.Close()
		conn.Close()
	}
	// The writer's connection, which inserted above.
	if err := s.Transaction(ctx, func(tx *Tx) error {
		_, err := tx.AllReltioCustomerRoles("TestCustomer")
		return err
	}); err != nil {
		t.Errorf("the writer's SELECT * after Migrate: %v", err)
	}
}

// holdConnections takes n connections of db at once.
func holdConnections(t *testing.T, db *sql.DB, n int) []*sql.Conn {
	t.Helper()
	conns := make([]*sql.Conn, n)
	for i := range conns {
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = conn
	}
	return conns
}
