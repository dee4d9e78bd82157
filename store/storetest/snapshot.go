package storetest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
)

// Snapshot is the content of every table: each row written as text, the rows sorted.
type Snapshot map[string][]string

// Diff describes, table by table, the rows one snapshot has and the other lacks; "" when
// they are equal.
func (before Snapshot) Diff(after Snapshot) string {
	var b strings.Builder
	tables := make([]string, 0, len(before)+len(after))
	for table := range before {
		tables = append(tables, table)
	}
	for table := range after {
		if _, seen := before[table]; !seen {
			tables = append(tables, table)
		}
	}
	slices.Sort(tables)
	for _, table := range tables {
		was, is := before[table], after[table]
		if slices.Equal(was, is) {
			continue
		}
		for _, row := range was {
			if !slices.Contains(is, row) {
				fmt.Fprintf(&b, "%s: -%s\n", table, row)
			}
		}
		for _, row := range is {
			if !slices.Contains(was, row) {
				fmt.Fprintf(&b, "%s: +%s\n", table, row)
			}
		}
		if _, existed := before[table]; !existed {
			fmt.Fprintf(&b, "%s: table appeared\n", table)
		} else if _, exists := after[table]; !exists {
			fmt.Fprintf(&b, "%s: table disappeared\n", table)
		}
	}
	return b.String()
}

// Added lists, as "table: row", the rows after has and before lacks. Values are quoted
// as by %q: a byte that is not valid UTF-8 or a control character shows as \x...
func (before Snapshot) Added(after Snapshot) []string {
	var added []string
	for _, table := range slices.Sorted(maps.Keys(after)) {
		for _, row := range after[table] {
			if !slices.Contains(before[table], row) {
				added = append(added, table+": "+row)
			}
		}
	}
	return added
}

// Snapshotter reads every table of the database that opts reach, beside the store, on one
// connection kept until the test ends: for tests that check, request after request, that
// the database did not change. (Rows opens a connection per call, too slow for that.)
func Snapshotter(t testing.TB, opts store.Options) func() Snapshot {
	t.Helper()
	db, done := openBeside(t, opts)
	t.Cleanup(done)
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(1)
	listTables := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if opts.DatabaseURL != "" {
		listTables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
	}
	return func() Snapshot {
		t.Helper()
		var tables []string
		if err := db.Raw(listTables).Scan(&tables).Error; err != nil {
			t.Fatalf("list the tables: %v", err)
		}
		snapshot := Snapshot{}
		for _, table := range tables {
			rows, err := db.Raw(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`).Rows()
			if err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			columns, _ := rows.Columns()
			values := make([]any, len(columns))
			pointers := make([]any, len(columns))
			for i := range values {
				pointers[i] = &values[i]
			}
			lines := []string{}
			for rows.Next() {
				if err := rows.Scan(pointers...); err != nil {
					_ = rows.Close()
					t.Fatalf("read %s: %v", table, err)
				}
				fields := make([]string, len(values))
				for i, v := range values {
					if b, isBytes := v.([]byte); isBytes {
						v = string(b)
					}
					fields[i] = fmt.Sprintf("%s=%q", columns[i], fmt.Sprint(v))
				}
				lines = append(lines, strings.Join(fields, " "))
			}
			err = rows.Err()
			_ = rows.Close()
			if err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			slices.Sort(lines)
			snapshot[table] = lines
		}
		return snapshot
	}
}
