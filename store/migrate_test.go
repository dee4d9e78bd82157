package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestConcurrentMigrationsOfAFreshDatabase: instances starting together on an empty
// database all migrate it without error, and each migration is applied exactly once.
func TestConcurrentMigrationsOfAFreshDatabase(t *testing.T) {
	const instances = 8
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			ctx := context.Background()
			stores := make([]*store.Store, instances)
			for i := range stores {
				s, err := store.Open(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				stores[i] = s
			}
			start := make(chan struct{})
			applied := make([][]string, instances)
			errs := make([]error, instances)
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Go(func() {
					<-start
					applied[i], errs[i] = s.Migrate(ctx)
				})
			}
			close(start)
			wg.Wait()
			count := map[string]int{}
			for i := range stores {
				if errs[i] != nil {
					t.Errorf("instance %d: %v", i, errs[i])
				}
				for _, name := range applied[i] {
					count[name]++
				}
			}
			pending, err := stores[0].PendingMigrations(ctx)
			if err != nil || len(pending) != 0 {
				t.Errorf("pending after the migrations: %v, %v", pending, err)
			}
			if len(count) == 0 {
				t.Fatal("no instance applied anything")
			}
			for name, n := range count {
				if n != 1 {
					t.Errorf("%s applied %d times", name, n)
				}
			}
		})
	}
}

// TestMigration0012BackfillsUsersWhoColumns: the users that predate migration 0012 are
// created with their earliest role, by its creator, and last updated with their latest
// role change, by its writer (ended roles included); a user without roles by SEED at the
// migration's time. The migration is replayed on a database put back as it was before it.
func TestMigration0012BackfillsUsersWhoColumns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := store.GormForTests(s)
		if err := load(t, s, oracleFixtureText); err != nil {
			t.Fatal(err)
		}
		if err := load(t, s, `
oracle:
  selfServiceUsers:
    - {userId: 101, loginId: sam, contactPartyId: 300100000000101}
    - {userId: 102, loginId: lee, contactPartyId: 300100000000101}
`); err != nil {
			t.Fatal(err)
		}
		at := func(s string) time.Time {
			parsed, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatal(err)
			}
			return parsed
		}
		ended := at("2026-01-09T12:00:00.25Z")
		for _, r := range []store.OracleSelfServiceRole{
			{UserID: 100, RelationshipTypeCd: "ORA_CSS_USER", CreatedBy: "alice", CreationDate: at("2026-01-06T10:00:00Z"),
				LastUpdatedBy: "bob", LastUpdateDate: at("2026-01-07T10:00:00Z")},
			{UserID: 100, RelationshipTypeCd: "ORA_CSS_ACC_ADMIN", CreatedBy: "carol", CreationDate: at("2026-01-05T10:00:00.5Z"),
				LastUpdatedBy: "dave", LastUpdateDate: ended, EndDate: &ended},
			{UserID: 101, RelationshipTypeCd: "ORA_CSS_USER", CreatedBy: "erin", CreationDate: at("2026-02-01T08:00:00Z"),
				LastUpdatedBy: "erin", LastUpdateDate: at("2026-02-01T08:00:00Z")},
		} {
			r.AccountPartyID, r.StartDate, r.LastUpdateLogin, r.RowVersion = 300100000000001, r.CreationDate, "L", 1
			if err := db.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, column := range []string{"created_by", "creation_date", "last_updated_by", "last_update_date"} {
			if err := db.Exec("ALTER TABLE oracle_self_service_users DROP COLUMN " + column).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec("DELETE FROM schema_migrations WHERE version = 12").Error; err != nil {
			t.Fatal(err)
		}
		before := time.Now().Add(-time.Second)
		if applied, err := s.Migrate(ctx); err != nil || len(applied) != 1 || applied[0] != "0012_oracle_user_who_columns.sql" {
			t.Fatalf("migrate: %v %v", applied, err)
		}
		after := time.Now().Add(time.Second)
		var users []store.OracleSelfServiceUser
		if err := db.Order("user_id").Find(&users).Error; err != nil || len(users) != 3 {
			t.Fatalf("users %+v, %v", users, err)
		}
		for _, want := range []struct {
			createdBy, lastUpdatedBy string
			creation, lastUpdate     time.Time
		}{
			{"carol", "dave", at("2026-01-05T10:00:00.5Z"), ended},
			{"erin", "erin", at("2026-02-01T08:00:00Z"), at("2026-02-01T08:00:00Z")},
			{"SEED", "SEED", time.Time{}, time.Time{}},
		} {
			u := users[0]
			users = users[1:]
			if u.CreatedBy != want.createdBy || u.LastUpdatedBy != want.lastUpdatedBy {
				t.Errorf("user %d: created by %s, last updated by %s; want %s, %s", u.UserID, u.CreatedBy, u.LastUpdatedBy, want.createdBy, want.lastUpdatedBy)
			}
			if want.creation.IsZero() {
				if u.CreationDate.Before(before) || u.CreationDate.After(after) || !u.LastUpdateDate.Equal(u.CreationDate) {
					t.Errorf("user %d: created %s, last updated %s; want the migration's time (%s … %s)", u.UserID, u.CreationDate, u.LastUpdateDate, before, after)
				}
				continue
			}
			if !u.CreationDate.Equal(want.creation) || !u.LastUpdateDate.Equal(want.lastUpdate) {
				t.Errorf("user %d: created %s, last updated %s; want %s, %s", u.UserID, u.CreationDate, u.LastUpdateDate, want.creation, want.lastUpdate)
			}
		}
	})
}

// TestMigrations0013And0014KeepEveryRow: the migrations that rebuild tables (SQLite: 0013
// audit_events keyed by seq, 0014 customer_grants clustered on its key) and an index
// (PostgreSQL: 0014, the grantee index covering the granted-on id) keep every grant and
// every sealed event as it was, and the chain verifies. They are replayed on a migrated
// database: each rebuilds what holds the same columns.
func TestMigrations0013And0014KeepEveryRow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := store.GormForTests(s)
		if err := load(t, s, `customers: [{id: "1000", name: A, type: individual}, {id: "1001", name: B, type: individual},
  {id: "1002", name: C, type: individual}, {id: "1003", name: D, type: individual}]`); err != nil {
			t.Fatal(err)
		}
		for _, grant := range []struct {
			on       int64
			grantees []int64
		}{{1000, []int64{1001, 1002}}, {1003, []int64{1000}}, {1001, []int64{1003, 1002, 1000}}} {
			err := s.Transaction(ctx, func(tx *store.Tx) error {
				if err := tx.InsertGrants(grant.on, grant.grantees); err != nil {
					return err
				}
				return tx.AuditGrantsCreated(grant.on, grant.grantees)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SealAuditEvents(ctx); err != nil {
			t.Fatal(err)
		}
		rows := func(query string) []string {
			var out []string
			if err := db.Raw(query).Scan(&out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		const grants = "SELECT granted_on_id || '>' || grantee_id || '@' || created_at FROM customer_grants ORDER BY granted_on_id, grantee_id"
		const events = "SELECT seq || ' ' || occurred_at || ' ' || targets || ' ' || changes || ' ' || content_digest || ' ' || prev_hash || ' ' || hash FROM audit_events ORDER BY seq"
		grantsBefore, eventsBefore := rows(grants), rows(events)
		if len(grantsBefore) != 6 || len(eventsBefore) < 3 {
			t.Fatalf("before: %d grants, %d events", len(grantsBefore), len(eventsBefore))
		}

		replayed := []string{"0014_grants_grantee_covering.sql"}
		if s.Dialect() == store.SQLite {
			replayed = []string{"0013_audit_seq_rowid.sql", "0014_grants_clustered.sql"}
		}
		if err := db.Exec("DELETE FROM schema_migrations WHERE version IN (13, 14)").Error; err != nil {
			t.Fatal(err)
		}
		if applied, err := s.Migrate(ctx); err != nil || !slices.Equal(applied, replayed) {
			t.Fatalf("migrate: applied %v (%v), want %v", applied, err, replayed)
		}
		if after := rows(grants); !slices.Equal(after, grantsBefore) {
			t.Errorf("grants after the migrations:\n%v\nwant\n%v", after, grantsBefore)
		}
		if after := rows(events); !slices.Equal(after, eventsBefore) {
			t.Errorf("audit events after the migrations:\n%v\nwant\n%v", after, eventsBefore)
		}
		if v, err := s.VerifyAuditChain(ctx); err != nil || v.Break != nil || v.Checked != int64(len(eventsBefore)) {
			t.Errorf("verify after the migrations: %+v, %v", v, err)
		}
		// What they built: on SQLite the clustered table and seq as the rowid; on both the
		// covering grantee index.
		switch s.Dialect() {
		case store.SQLite:
			for table, want := range map[string]string{"customer_grants": "WITHOUT ROWID", "audit_events": "seq            INTEGER PRIMARY KEY"} {
				if sql := rows("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'"); len(sql) != 1 || !strings.Contains(sql[0], want) {
					t.Errorf("%s: %v, want it to hold %q", table, sql, want)
				}
			}
			if sql := rows("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'customer_grants_grantee'"); len(sql) != 1 || !strings.Contains(sql[0], "(grantee_id, granted_on_id)") {
				t.Errorf("customer_grants_grantee: %v", sql)
			}
		case store.Postgres:
			if def := rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_grants_grantee'"); len(def) != 1 || !strings.Contains(def[0], "(grantee_id, granted_on_id)") {
				t.Errorf("customer_grants_grantee: %v", def)
			}
		}
	})
}
