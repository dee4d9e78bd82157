package adfq

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse: whatever q and framework version, Parse doesn't panic; a refusal is an *Error
// with a position inside q (or just past its end); an accepted q gives, in both dialects,
// SQL made only of catalogue columns, keywords, operators, parentheses, commas and one ?
// per bound value, and that SQL runs on SQLite.
func FuzzParse(f *testing.F) {
	for _, seed := range []struct {
		q       string
		version int
	}{
		{"Id=1", 1}, {"Id=>5;Name=LIKE A*", 1}, {"Name='O''Brien';Id=IN (1,2,3)", 1},
		{`Name="a;b";Email=IS NOT NULL`, 1}, {"StartDate=BETWEEN 2026-01-01 AND 2026-02-01", 1},
		{"CreationDate>=2026-01-01T10:00:00Z;EndDate=IS NULL", 1}, {"Id=NOT IN (1)", 1},
		{"Id = 1", 2}, {"Name = 'x' and (Id > 5 or not Email is null)", 2},
		{"UPPER(Name) LIKE 'AL%' OR LOWER(Email) NOT LIKE '%@example.com'", 3},
		{"Id BETWEEN -9 AND 3 AND StartDate IN ('2026-01-01', '2026-01-02')", 4},
		{"CreationDate = '2026-01-01T10:00:00+00:00'", 4}, {"NOT NOT (Id <> 1)", 9},
		{"Name = '' OR 1=1 --'", 4}, {"Name = 'x'; DROP TABLE t", 4}, {"Name = ’x’", 4},
		{"Id = 1 /* */ UNION SELECT 1", 4}, {"((((((((((Id = 1))))))))))", 4},
	} {
		f.Add(seed.q, seed.version)
	}
	db := openTestDB(f)
	f.Fuzz(func(t *testing.T, q string, version int) {
		e, err := Parse(q, version, testCatalogue)
		if err != nil {
			var refusal *Error
			if !errors.As(err, &refusal) {
				t.Fatalf("Parse(%q, %d) refused with %T %v, not an *Error", q, version, err, err)
			}
			if n := utf8.RuneCountInString(q); refusal.Position < 1 || refusal.Position > n+1 {
				t.Fatalf("Parse(%q, %d): position %d outside 1..%d: %v", q, version, refusal.Position, n+1, err)
			}
			if refusal.Reason == "" {
				t.Fatalf("Parse(%q, %d): a refusal without a reason", q, version)
			}
			return
		}
		if e == nil {
			return
		}
		for _, d := range []Dialect{SQLite, Postgres} {
			sqlText, args := e.SQL(d)
			if err := checkAllowlist(testCatalogue, sqlText, args); err != nil {
				t.Fatalf("Parse(%q, %d), dialect %d: %v", q, version, d, err)
			}
		}
		if _, err := matchingIDs(db, e); err != nil {
			sqlText, args := e.SQL(SQLite)
			t.Fatalf("Parse(%q, %d): SQLite refused %q %v: %v", q, version, sqlText, args, err)
		}
	})
}
