package adfq

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// all is every id of testRows.
var all = []int64{-9, 1, 2, 3, 4, 5, 6, 7, 8}

func except(ids ...int64) []int64 {
	return slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return slices.Contains(ids, id) })
}

// TestParse: each row is a q, the framework version, and either the ids it matches on
// SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (the SQL of both dialects passing
// the allowlist), or the refusal's token and position.
func TestParse(t *testing.T) {
	db, pg := openTestDB(t), openTestPostgres(t)
	type row struct {
		name    string
		q       string
		version int
		ids     []int64
		token   string
		pos     int
	}
	deep := strings.Repeat("(", 10) + "Id = 1" + strings.Repeat(")", 10)
	tooDeep := strings.Repeat("(", 11) + "Id = 1" + strings.Repeat(")", 11)
	fiftyConditions := strings.Repeat("Id = 1 OR ", 49) + "Id = 1"
	fiftyOneConditions := strings.Repeat("Id = 1 OR ", 50) + "Id = 1"
	twoHundredValues := "Id IN (" + strings.Repeat("1,", 199) + "2)"
	twoHundredOneValues := "Id IN (" + strings.Repeat("1,", 200) + "2)"
	longest := "Name = '" + strings.Repeat("x", MaxLength-9) + "'"
	tooLong := "Name = '" + strings.Repeat("x", MaxLength-8) + "'"
	rows := []row{
		// rowmatch: comparisons on numbers
		{"v2 =", "Id = 1", 2, []int64{1}, "", 0},
		{"v2 != ", "Id != 1", 2, except(1), "", 0},
		{"v2 <>", "Id <> 1", 4, except(1), "", 0},
		{"v2 <", "Id < 2", 2, []int64{-9, 1}, "", 0},
		{"v2 <=", "Id <= 2", 2, []int64{-9, 1, 2}, "", 0},
		{"v2 >", "Id > 7", 2, []int64{8}, "", 0},
		{"v2 >=", "Id >= 7", 2, []int64{7, 8}, "", 0},
		{"v2 negative number", "Id = -9", 2, []int64{-9}, "", 0},
		{"v2 quoted number", "Id = '3'", 2, []int64{3}, "", 0},
		{"v2 no spaces", "Id>=7", 9, []int64{7, 8}, "", 0},
		{"v2 IN", "Id IN (1, 3, 5)", 2, []int64{1, 3, 5}, "", 0},
		{"v2 NOT IN", "Id NOT IN (1,3,5)", 2, except(1, 3, 5), "", 0},
		{"v2 BETWEEN", "Id BETWEEN 2 AND 4", 2, []int64{2, 3, 4}, "", 0},
		{"v2 NOT BETWEEN", "Id NOT BETWEEN 2 AND 4", 2, except(2, 3, 4), "", 0},
		// text: case-sensitive, quoting
		{"v2 text =", "Name = 'Alice'", 2, []int64{1}, "", 0},
		{"v2 text = is case-sensitive", "Name = 'alice'", 2, []int64{2}, "", 0},
		{"v2 doubled quote", "Name = 'O''Brien'", 2, []int64{3}, "", 0},
		{"v2 empty string", "Name = ''", 2, []int64{8}, "", 0},
		{"v2 text <", "Name < 'B'", 2, []int64{-9, 1, 4, 8}, "", 0},
		{"v2 text IN", "Name IN ('Bob', 'alice', 'nobody')", 2, []int64{2, 7}, "", 0},
		{"v2 text BETWEEN", "Name BETWEEN 'A' AND 'C'", 2, []int64{1, 7}, "", 0},
		{"v2 text !=", "Email != 'bob@example.com'", 2, []int64{1, 3, 5, 8}, "", 0},
		// LIKE: case-sensitive, % and _, every other character literal
		{"v2 LIKE prefix", "Name LIKE 'A%'", 2, []int64{1}, "", 0},
		{"v2 LIKE suffix", "Name LIKE '%lice'", 2, []int64{1, 2}, "", 0},
		{"v2 LIKE _", "Name LIKE '_lice'", 2, []int64{1, 2}, "", 0},
		{"v2 LIKE % literal text", "Name LIKE '100%'", 2, []int64{4}, "", 0},
		{"v2 LIKE GLOB characters are literal", "Name LIKE 'star*q?[x]'", 2, []int64{5}, "", 0},
		{"v2 LIKE * is no wildcard", "Name LIKE 'A*'", 2, []int64{}, "", 0},
		{"v2 LIKE backslash is literal", `Name LIKE 'back\slash'`, 2, []int64{6}, "", 0},
		{"v2 LIKE backslash escapes nothing", `Name LIKE '100\%%'`, 2, []int64{}, "", 0},
		{"v2 LIKE backslash then %", `Name LIKE 'back\%'`, 2, []int64{6}, "", 0},
		{"v2 NOT LIKE", "Name NOT LIKE '%e%'", 2, []int64{5, 6, 7, 8}, "", 0},
		{"v2 UPPER", "UPPER(Name) = 'ALICE'", 2, []int64{1, 2}, "", 0},
		{"v2 LOWER LIKE", "LOWER(Name) LIKE 'al%'", 2, []int64{1, 2}, "", 0},
		{"v2 upper lower-case keyword", "upper(Name) = 'ALICE'", 2, []int64{1, 2}, "", 0},
		{"v2 UPPER IN", "UPPER(Name) IN ('BOB')", 2, []int64{7}, "", 0},
		// NULL
		{"v2 IS NULL", "Email IS NULL", 2, []int64{-9, 2, 4, 6}, "", 0},
		{"v2 IS NOT NULL", "Email IS NOT NULL", 2, []int64{1, 3, 5, 7, 8}, "", 0},
		{"v2 date IS NULL", "EndDate IS NULL", 2, except(2, 5), "", 0},
		// keywords any case
		{"v2 keywords any case", "Email iS nOt NuLl aNd Name LiKe 'A%' Or Id In (7)", 2, []int64{1, 7}, "", 0},
		// precedence and grouping
		{"v2 AND over OR", "Id = 1 OR Id = 2 AND Name = 'x'", 2, []int64{1}, "", 0},
		{"v2 parentheses", "(Id = 1 OR Id = 2) AND Name = 'alice'", 2, []int64{2}, "", 0},
		{"v2 NOT binds to one condition", "NOT Id = 1 AND Id < 3", 2, []int64{-9, 2}, "", 0},
		{"v2 NOT of a group", "NOT (Id = 1 OR Id = 2)", 2, except(1, 2), "", 0},
		{"v2 NOT NOT", "NOT NOT Id = 1", 2, []int64{1}, "", 0},
		{"v2 OR chain", "Id = 1 or Id = 2 Or Id = 3", 2, []int64{1, 2, 3}, "", 0},
		{"v2 whitespace", " \tId = 1\n AND\r\nName = 'Alice' ", 2, []int64{1}, "", 0},
		{"v2 blank", "   ", 2, all, "", 0},
		{"v2 ten deep", deep, 2, []int64{1}, "", 0},
		{"v2 fifty conditions", fiftyConditions, 2, []int64{1}, "", 0},
		{"v2 two hundred values", twoHundredValues, 2, []int64{1, 2}, "", 0},
		{"v2 longest", longest, 2, []int64{}, "", 0},
		// dates: whole UTC days
		{"v2 date =", "StartDate = '2026-01-01'", 2, []int64{1, 2}, "", 0},
		{"v2 date = stored with an offset", "StartDate = '2026-02-28'", 2, []int64{6}, "", 0},
		{"v2 date <", "StartDate < '2026-01-01'", 2, []int64{-9, 4}, "", 0},
		{"v2 date <=", "StartDate <= '2026-01-01'", 2, []int64{-9, 1, 2, 4}, "", 0},
		{"v2 date >", "StartDate > '2026-01-01'", 2, []int64{3, 5, 6, 7, 8}, "", 0},
		{"v2 date >=", "StartDate >= '2026-01-02'", 2, []int64{3, 5, 6, 7, 8}, "", 0},
		{"v2 date !=", "StartDate != '2026-01-01'", 2, except(1, 2), "", 0},
		{"v2 date BETWEEN", "StartDate BETWEEN '2026-01-01' AND '2026-01-02'", 2, []int64{1, 2, 3}, "", 0},
		{"v2 date IN", "StartDate IN ('2025-12-31', '2026-06-15')", 2, []int64{4, 7, 8}, "", 0},
		{"v2 date NOT IN", "StartDate NOT IN ('2025-12-31', '2026-06-15')", 2, except(4, 7, 8), "", 0},
		{"v2 nullable date =", "EndDate = '2026-02-01'", 2, []int64{2}, "", 0},
		{"v2 nullable date !=", "EndDate != '2026-02-01'", 2, []int64{5}, "", 0},
		// timestamps: to the second
		{"v2 timestamp = ignores the fraction stored", "CreationDate = '2026-01-01T10:00:00Z'", 2, []int64{1}, "", 0},
		{"v2 timestamp without zone is UTC", "CreationDate = '2026-01-01T10:00:00'", 2, []int64{1}, "", 0},
		{"v2 timestamp offset", "CreationDate = '2026-01-01T11:00:00+01:00'", 2, []int64{1}, "", 0},
		{"v2 timestamp with a space", "CreationDate = '2026-01-01 10:00:01Z'", 2, []int64{2}, "", 0},
		{"v2 timestamp whole day", "CreationDate = '2026-01-01'", 2, []int64{1, 2, 3}, "", 0},
		{"v2 timestamp <", "CreationDate < '2026-01-01T10:00:00Z'", 2, []int64{-9, 3, 4}, "", 0},
		{"v2 timestamp <=", "CreationDate <= '2026-01-01T10:00:00Z'", 2, []int64{-9, 1, 3, 4}, "", 0},
		{"v2 timestamp >", "CreationDate > '2026-01-01T10:00:00Z'", 2, []int64{2, 5, 6, 7, 8}, "", 0},
		{"v2 timestamp >=", "CreationDate >= '2026-01-01T10:00:01Z'", 2, []int64{2, 5, 6, 7, 8}, "", 0},
		{"v2 timestamp stored with an offset", "CreationDate = '2025-12-31T21:00:00Z'", 2, []int64{4}, "", 0},
		{"v2 timestamp BETWEEN days", "CreationDate BETWEEN '2026-03-01' AND '2026-06-15'", 2, []int64{5, 6, 7, 8}, "", 0},
		// injection attempts inside values match nothing
		{"v2 quoted OR 1=1", "Name = ''' OR 1=1 --'", 2, []int64{}, "", 0},
		{"v2 quoted '1'='1'", "Name = 'x'' OR ''1''=''1'", 2, []int64{}, "", 0},
		{"v2 quoted DROP", "Name = 'a; DROP TABLE t'", 2, []int64{}, "", 0},
		{"v2 quoted comment", "Name = '/* */ --'", 2, []int64{}, "", 0},
		{"v2 quoted UNION", "Name = 'x'' UNION SELECT 1 --'", 2, []int64{}, "", 0},
		{"v2 quoted typographic quotes", "Name = '’Alice‘'", 2, []int64{}, "", 0},
		// rowmatch refusals: token and position
		{"v2 attribute case", "id = 1", 2, nil, "id", 1},
		{"v2 unknown attribute", "Id = 1 AND Nope = 2", 2, nil, "Nope", 12},
		{"v2 dangling AND", "Id = 1 AND", 2, nil, "", 11},
		{"v2 ==", "Id == 1", 2, nil, "=", 5},
		{"v2 OR 1=1", "Name = 'x' OR 1=1", 2, nil, "1", 15},
		{"v2 unclosed quote injection", "Name = '' OR 1=1 --'", 2, nil, "1", 14},
		{"v2 leftmost problem first", "Name = x OR Id = 'unclosed", 2, nil, "x", 8},
		{"v2 unclosed quote", "Name = ' OR 1=1 --", 2, nil, "' OR 1=1 --", 8},
		{"v2 -- comment", "Id = 1 --", 2, nil, "-", 8},
		{"v2 /* comment */", "Id = 1 /* */", 2, nil, "/", 8},
		{"v2 ;DROP", "Id = 1;DROP TABLE t", 2, nil, ";", 7},
		{"v2 UNION", "Id = 1 UNION SELECT 1", 2, nil, "UNION", 8},
		{"v2 typographic quotes", "Name = ’x’", 2, nil, "’", 8},
		{"v2 typographic opening quote", "Name = ‘x‘", 2, nil, "‘", 8},
		{"v2 double quotes", `Name = "x"`, 2, nil, `"`, 8},
		{"v2 unquoted text", "Name = x", 2, nil, "x", 8},
		{"v2 text given a number", "Name = 5", 2, nil, "5", 8},
		{"v2 number given text", "Id = 'abc'", 2, nil, "'abc'", 6},
		{"v2 decimal", "Id = 1.5", 2, nil, "1.5", 6},
		{"v2 number too big", "Id = 99999999999999999999", 2, nil, "99999999999999999999", 6},
		{"v2 number runs into a word", "Id = 5abc", 2, nil, "5abc", 6},
		{"v2 LIKE on a number", "Id LIKE '1%'", 2, nil, "LIKE", 4},
		{"v2 LIKE unquoted", "Name LIKE 5", 2, nil, "5", 11},
		{"v2 UPPER on a number", "UPPER(Id) = 'X'", 2, nil, "Id", 7},
		{"v2 UPPER without (", "UPPER Name = 'X'", 2, nil, "Name", 7},
		{"v2 UPPER IS NULL", "UPPER(Name) IS NULL", 2, nil, "IS", 13},
		{"v2 bad date", "StartDate = '2026-13-01'", 2, nil, "'2026-13-01'", 13},
		{"v2 timestamp for a date", "StartDate = '2026-01-01T00:00:00Z'", 2, nil, "'2026-01-01T00:00:00Z'", 13},
		{"v2 timestamp fraction", "CreationDate = '2026-01-01T10:00:00.5Z'", 2, nil, "'2026-01-01T10:00:00.5Z'", 16},
		{"v2 unquoted date", "StartDate = 2026-01-01", 2, nil, "2026", 13},
		{"v2 IN empty", "Id IN ()", 2, nil, ")", 8},
		{"v2 IN without comma", "Id IN (1 2)", 2, nil, "2", 10},
		{"v2 IN without (", "Id IN 1", 2, nil, "1", 7},
		{"v2 BETWEEN without AND", "Id BETWEEN 1 OR 2", 2, nil, "OR", 14},
		{"v2 IS NOTNULL", "Email IS NOTNULL", 2, nil, "NOTNULL", 10},
		{"v2 NOT =", "Id NOT = 1", 2, nil, "=", 8},
		{"v2 no operator", "Id 1", 2, nil, "1", 4},
		{"v2 attribute alone", "Id", 2, nil, "", 3},
		{"v2 unclosed (", "(Id = 1", 2, nil, "", 8},
		{"v2 stray )", "Id = 1)", 2, nil, ")", 7},
		{"v2 ESCAPE", `Name LIKE 'x' ESCAPE '\'`, 2, nil, "ESCAPE", 15},
		{"v2 keyword as attribute", "AND = 1", 2, nil, "AND", 1},
		{"v2 too deep", tooDeep, 2, nil, "(", 11},
		{"v2 too many NOT", strings.Repeat("NOT ", 11) + "Id = 1", 2, nil, "NOT", 41},
		{"v2 too many conditions", fiftyOneConditions, 2, nil, "Id", 501},
		{"v2 too many values", twoHundredOneValues, 2, nil, "2", 408},
		{"v2 too long", tooLong, 2, nil, "'", MaxLength + 1},
		{"v2 NUL", "Id = 1\x00", 2, nil, "U+0000", 7},
		{"v2 invalid UTF-8", "Name = '\xff'", 2, nil, "", 9},
		{"v2 query-by-example", "Id=1;Name=Alice", 2, nil, ";", 5},
		{"v2 equals-operator", "Id=>5", 2, nil, ">", 4},
		// query-by-example (version 1)
		{"v1 =", "Id=1", 1, []int64{1}, "", 0},
		{"v1 version 0 reads as 1", "Id=1", 0, []int64{1}, "", 0},
		{"v1 >", "Id>5", 1, []int64{6, 7, 8}, "", 0},
		{"v1 =>", "Id=>5", 1, []int64{6, 7, 8}, "", 0},
		{"v1 =<", "Id=<2", 1, []int64{-9, 1}, "", 0},
		{"v1 <=", "Id<=2", 1, []int64{-9, 1, 2}, "", 0},
		{"v1 =>=", "Id=>=7", 1, []int64{7, 8}, "", 0},
		{"v1 !=", "Id!=1", 1, except(1), "", 0},
		{"v1 =<>", "Id=<>1", 1, except(1), "", 0},
		{"v1 =!=", "Id=!=1", 1, except(1), "", 0},
		{"v1 spaces", "Id = >= 7", 1, []int64{7, 8}, "", 0},
		{"v1 negative", "Id=-9", 1, []int64{-9}, "", 0},
		{"v1 text", "Name=Alice", 1, []int64{1}, "", 0},
		{"v1 text case-sensitive", "Name=alice", 1, []int64{2}, "", 0},
		{"v1 single quotes", "Name='O''Brien'", 1, []int64{3}, "", 0},
		{"v1 double quotes", `Name="O'Brien"`, 1, []int64{3}, "", 0},
		{"v1 quoted ;", "Name='a;b'", 1, []int64{}, "", 0},
		{"v1 quoted value with spaces", "Name='Alice Smith'", 1, []int64{}, "", 0},
		{"v1 * is literal under =", "Name=A*", 1, []int64{}, "", 0},
		{"v1 LIKE *", "Name=LIKE A*", 1, []int64{1}, "", 0},
		{"v1 LIKE * first", "Name=LIKE *lice", 1, []int64{1, 2}, "", 0},
		{"v1 LIKE %", "Name=like %lice", 1, []int64{1, 2}, "", 0},
		{"v1 LIKE _", "Name=LIKE _lice", 1, []int64{1, 2}, "", 0},
		{"v1 LIKE quoted", "Name LIKE 'A*'", 1, []int64{1}, "", 0},
		{"v1 NOT LIKE", "Name=NOT LIKE *e*", 1, []int64{5, 6, 7, 8}, "", 0},
		{"v1 IN", "Id=IN (1,3)", 1, []int64{1, 3}, "", 0},
		{"v1 IN spaced", "Id IN ( 1 , 3 )", 1, []int64{1, 3}, "", 0},
		{"v1 text IN", "Name=IN (Bob,'O''Brien')", 1, []int64{3, 7}, "", 0},
		{"v1 NOT IN", "Id=NOT IN (1,3)", 1, except(1, 3), "", 0},
		{"v1 BETWEEN", "Id=BETWEEN 2 AND 4", 1, []int64{2, 3, 4}, "", 0},
		{"v1 NOT BETWEEN", "Id=not between 2 and 4", 1, except(2, 3, 4), "", 0},
		{"v1 IS NULL", "Email=IS NULL", 1, []int64{-9, 2, 4, 6}, "", 0},
		{"v1 IS NOT NULL", "Email=IS NOT NULL", 1, []int64{1, 3, 5, 7, 8}, "", 0},
		{"v1 IS NULL without =", "Email IS NULL", 1, []int64{-9, 2, 4, 6}, "", 0},
		{"v1 two terms", "Id=>1;Id=<4", 1, []int64{2, 3}, "", 0},
		{"v1 three terms", "Name=LIKE *e*;Email=IS NOT NULL;Id=<3", 1, []int64{1}, "", 0},
		{"v1 empty terms", ";;Id=1;", 1, []int64{1}, "", 0},
		{"v1 blank", " ; ", 1, all, "", 0},
		{"v1 date", "StartDate=2026-01-01", 1, []int64{1, 2}, "", 0},
		{"v1 date BETWEEN", "StartDate=BETWEEN 2026-01-01 AND 2026-01-02", 1, []int64{1, 2, 3}, "", 0},
		{"v1 timestamp", "CreationDate=>2026-01-01T10:00:00Z", 1, []int64{2, 5, 6, 7, 8}, "", 0},
		{"v1 quoted injection", "Name=''' OR 1=1 --'", 1, []int64{}, "", 0},
		{"v1 quoted DROP", "Name='x;DROP TABLE t'", 1, []int64{}, "", 0},
		// query-by-example refusals
		{"v1 attribute case", "id=1", 1, nil, "id", 1},
		{"v1 attribute case in a later term", "Id=1;id=2", 1, nil, "id", 6},
		{"v1 unquoted spaces", "Name=Alice Smith", 1, nil, "Smith", 12},
		{"v1 rowmatch syntax", "Name='x' and Id > 0", 1, nil, "and", 10},
		{"v1 OR", "Name=a or Id=1", 1, nil, "or", 8},
		{"v1 not a number", "Id=abc", 1, nil, "abc", 4},
		{"v1 LIKE without pattern", "Name=LIKE", 1, nil, "", 10},
		{"v1 LIKE without pattern before ;", "Name=LIKE;Id=1", 1, nil, ";", 10},
		{"v1 unclosed quote", "Name='x", 1, nil, "'x", 6},
		{"v1 quote inside a word", "Name=x'y", 1, nil, "'y", 7},
		{"v1 IS without NULL", "Email=IS", 1, nil, "", 9},
		{"v1 -- comment", "Id=5 --", 1, nil, "--", 6},
		{"v1 ;DROP", "Name=a;DROP TABLE t", 1, nil, "DROP", 8},
		{"v1 /* */", "Id=1 /* */", 1, nil, "/*", 6},
		{"v1 UNION", "Id=1 UNION SELECT 1", 1, nil, "UNION", 6},
		{"v1 OR 1=1", "Name=x' OR 1=1", 1, nil, "' OR 1=1", 7},
		{"v1 typographic quotes", "Name=’x’", 1, nil, "’", 6},
		{"v1 keyword as value", "Name=NULL", 1, nil, "NULL", 6},
		{"v1 no value", "Id=", 1, nil, "", 4},
		{"v1 no operator", "Id", 1, nil, "", 3},
		{"v1 IN unclosed", "Id=IN (1,2", 1, nil, "", 11},
		{"v1 ! alone", "Id!1", 1, nil, "!", 3},
		{"v1 LIKE on a number", "Id=LIKE 1*", 1, nil, "LIKE", 4},
		{"v1 too many conditions", strings.Repeat("Id=1;", 50) + "Id=1", 1, nil, "Id", 251},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e, err := Parse(r.q, r.version, testCatalogue)
			if r.ids == nil {
				var refusal *Error
				if !errors.As(err, &refusal) {
					t.Fatalf("Parse(%q) = %v, %v; want a refusal at %q position %d", r.q, e, err, r.token, r.pos)
				}
				if refusal.Token != r.token || refusal.Position != r.pos {
					t.Fatalf("Parse(%q) refused %q at %d (%v); want %q at %d", r.q, refusal.Token, refusal.Position, err, r.token, r.pos)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", r.q, err)
			}
			if e != nil {
				for _, d := range []Dialect{SQLite, Postgres} {
					sqlText, args := e.SQL(d)
					if err := checkAllowlist(testCatalogue, sqlText, args); err != nil {
						t.Fatal(err)
					}
				}
			}
			ids, err := matchingIDs(db, e)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, r.ids) {
				sqlText, args := e.SQL(SQLite)
				t.Fatalf("Parse(%q) matched %v on SQLite, want %v (SQL %s %v)", r.q, ids, r.ids, sqlText, args)
			}
			if pg == nil {
				return
			}
			if ids, err = matchingIDs(pg, e, Postgres); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, r.ids) {
				sqlText, args := e.SQL(Postgres)
				t.Fatalf("Parse(%q) matched %v on PostgreSQL, want %v (SQL %s %v)", r.q, ids, r.ids, sqlText, args)
			}
		})
	}
}

// TestCatalogueRefuses: a catalogue can't bring SQL of its own.
func TestCatalogueRefuses(t *testing.T) {
	for _, a := range []Attribute{
		{Name: "Id", Column: "t.id; DROP TABLE t", Type: Number},
		{Name: "Id", Column: "T.ID", Type: Number},
		{Name: "Id", Column: "t.id)", Type: Number},
		{Name: "Id", Column: "null", Type: Number},
		{Name: "And", Column: "t.id", Type: Number},
		{Name: "1d", Column: "t.id", Type: Number},
		{Name: "Id", Column: "t.id", Type: 0},
	} {
		if _, err := NewCatalogue(a); err == nil {
			t.Errorf("NewCatalogue(%+v) accepted it", a)
		}
	}
	if _, err := NewCatalogue(Attribute{"Id", "t.id", Number}, Attribute{"Id", "t.id2", Number}); err == nil {
		t.Error("NewCatalogue accepted an attribute twice")
	}
}

// TestSQLShape pins the SQL of each dialect for one expression of every kind.
func TestSQLShape(t *testing.T) {
	e, err := Parse("UPPER(Name) LIKE 'A%' AND NOT (StartDate = '2026-01-01' OR Id IN (1, 2)) AND Email IS NOT NULL", 4, testCatalogue)
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[Dialect]string{
		SQLite:   "(UPPER(t.name) GLOB ? AND NOT ((unixepoch(t.start_date) >= ? AND unixepoch(t.start_date) < ?) OR t.id IN (?, ?)) AND t.email IS NOT NULL)",
		Postgres: "(UPPER(t.name) LIKE ? AND NOT ((t.start_date >= ? AND t.start_date < ?) OR t.id IN (?, ?)) AND t.email IS NOT NULL)",
	} {
		if got, args := e.SQL(d); got != want || len(args) != 5 {
			t.Errorf("dialect %d: %s %v, want %s with 5 arguments", d, got, args, want)
		}
	}
}
