package adfq

import (
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/ncruces/go-sqlite3/driver"
)

// testCatalogue is one attribute of each type (two of text), on the columns of testRows.
var testCatalogue = MustCatalogue(
	Attribute{Name: "Id", Column: "t.id", Type: Number},
	Attribute{Name: "Name", Column: "t.name", Type: Text},
	Attribute{Name: "Email", Column: "t.email", Type: Text},
	Attribute{Name: "StartDate", Column: "t.start_date", Type: Date},
	Attribute{Name: "EndDate", Column: "t.end_date", Type: Date},
	Attribute{Name: "CreationDate", Column: "t.creation_date", Type: Timestamp},
)

// testRow is a row of the table t the unit table and the fuzz target query.
type testRow struct {
	id           int64
	name         string
	email        *string
	startDate    time.Time
	endDate      *time.Time
	creationDate time.Time
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// testRows: names that differ only in case, quotes, wildcard and GLOB characters, a
// backslash; times with fractions of a second and on either side of a UTC midnight.
var testRows = []testRow{
	{1, "Alice", ptr("alice@example.com"), at("2026-01-01T00:00:00Z"), nil, at("2026-01-01T10:00:00.250Z")},
	{2, "alice", nil, at("2026-01-01T23:59:59.999Z"), ptr(at("2026-02-01T00:00:00Z")), at("2026-01-01T10:00:01Z")},
	{3, "O'Brien", ptr("ob@example.com"), at("2026-01-02T00:00:00Z"), nil, at("2026-01-01T09:59:59.999999Z")},
	{4, "100%_sure", nil, at("2025-12-31T23:59:59Z"), nil, at("2025-12-31T23:00:00+02:00")},
	{5, "star*q?[x]", ptr("s@example.com"), at("2026-03-01T12:00:00Z"), ptr(at("2026-03-02T00:00:00Z")), at("2026-03-01T12:00:00Z")},
	{6, `back\slash`, nil, at("2026-03-01T00:00:00+01:00"), nil, at("2026-03-01T00:00:00Z")},
	{7, "Bob", ptr("bob@example.com"), at("2026-06-15T08:00:00Z"), nil, at("2026-06-15T08:00:00.5Z")},
	{8, "", ptr(""), at("2026-06-15T00:00:00Z"), nil, at("2026-06-15T00:00:00Z")},
	{-9, "-nine", nil, at("1999-12-31T00:00:00Z"), nil, at("1999-12-31T23:59:59Z")},
}

// openTestDB is an in-memory SQLite holding testRows as the store keeps times: bound
// time.Time values, which the driver writes as RFC 3339 text.
func openTestDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:adfq?mode=memory")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT,
		start_date DATETIME NOT NULL, end_date DATETIME, creation_date DATETIME NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	for _, r := range testRows {
		if _, err := db.Exec(`INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)`,
			r.id, r.name, r.email, r.startDate, r.endDate, r.creationDate); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// openTestPostgres is testRows in a temporary table on the PostgreSQL of
// TEST_DATABASE_URL (text in the "C" collation, so text order is SQLite's), or nil when
// none is given (a failure with CI=true, as everywhere in the project).
func openTestPostgres(tb testing.TB) *sql.DB {
	tb.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("CI=true and TEST_DATABASE_URL is empty")
		}
		return nil
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1) // the temporary table lives in one session
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TEMPORARY TABLE t (id BIGINT PRIMARY KEY, name TEXT COLLATE "C" NOT NULL,
		email TEXT COLLATE "C", start_date TIMESTAMPTZ NOT NULL, end_date TIMESTAMPTZ, creation_date TIMESTAMPTZ NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	for _, r := range testRows {
		if _, err := db.Exec(`INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)`,
			r.id, r.name, r.email, r.startDate, r.endDate, r.creationDate); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// matchingIDs runs the expression's SQL for dialect against t.
func matchingIDs(db *sql.DB, e Expr, dialect ...Dialect) ([]int64, error) {
	d := SQLite
	if len(dialect) > 0 {
		d = dialect[0]
	}
	where, args := "1 = 1", []any(nil)
	if e != nil {
		where, args = e.SQL(d)
	}
	if d == Postgres {
		// PostgreSQL numbers its placeholders; the SQL holds no other ?.
		var b strings.Builder
		n := 0
		for _, r := range where {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		where = b.String()
	}
	rows, err := db.Query("SELECT t.id FROM t WHERE "+where+" ORDER BY t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sqlKeywords are the words the SQL of an Expr may hold besides catalogue columns.
var sqlKeywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "BETWEEN": true, "IS": true, "NULL": true,
	"LIKE": true, "GLOB": true, "UPPER": true, "LOWER": true, "unixepoch": true,
}

// checkAllowlist tokenizes SQL: only catalogue columns, the keywords, comparison operators,
// parentheses, commas and ? may appear, with one ? per argument.
func checkAllowlist(c *Catalogue, sqlText string, args []any) error {
	columns := map[string]bool{}
	for _, a := range c.Attributes() {
		columns[a.Column] = true
	}
	placeholders := 0
	for i := 0; i < len(sqlText); {
		ch := sqlText[i]
		switch {
		case ch == ' ':
			i++
		case ch == '?':
			placeholders++
			i++
		case ch == '(' || ch == ')' || ch == ',' || ch == '=':
			i++
		case ch == '<' || ch == '>':
			if i+1 < len(sqlText) && (sqlText[i+1] == '=' || (ch == '<' && sqlText[i+1] == '>')) {
				i += 2
			} else {
				i++
			}
		case ch == '_' || ch == '.' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'):
			j := i
			for j < len(sqlText) && (sqlText[j] == '_' || sqlText[j] == '.' || (sqlText[j] >= 'a' && sqlText[j] <= 'z') ||
				(sqlText[j] >= 'A' && sqlText[j] <= 'Z') || (sqlText[j] >= '0' && sqlText[j] <= '9')) {
				j++
			}
			if word := sqlText[i:j]; !columns[word] && !sqlKeywords[word] {
				return fmt.Errorf("SQL %q holds %q, neither a catalogue column nor a keyword", sqlText, word)
			}
			i = j
		default:
			return fmt.Errorf("SQL %q holds %q at byte %d", sqlText, ch, i)
		}
	}
	if placeholders != len(args) {
		return fmt.Errorf("SQL %q has %d placeholders for %d arguments", sqlText, placeholders, len(args))
	}
	if strings.Count(sqlText, "(") != strings.Count(sqlText, ")") {
		return fmt.Errorf("SQL %q has unbalanced parentheses", sqlText)
	}
	return nil
}
