package adfq

import (
	"strings"
	"time"
)

// Dialect is the SQL database the condition is written for.
type Dialect int

const (
	SQLite Dialect = iota + 1
	Postgres
)

// Expr is a parsed q: a tree of AND, OR, NOT and conditions.
type Expr interface {
	// SQL writes the expression as a condition for a WHERE clause: catalogue columns,
	// keywords, operators, parentheses, commas and one ? per returned argument.
	SQL(d Dialect) (string, []any)
	write(w *sqlWriter)
}

type (
	andExpr struct{ terms []Expr }
	orExpr  struct{ terms []Expr }
	notExpr struct{ x Expr }
)

// op is a condition's operator.
type op int

const (
	opEq op = iota + 1
	opNe
	opLt
	opLe
	opGt
	opGe
	opLike
	opIn
	opBetween
	opIsNull
)

// comparisons are the comparison operators' spellings.
var comparisons = map[string]op{"=": opEq, "!=": opNe, "<>": opNe, "<": opLt, "<=": opLe, ">": opGt, ">=": opGe}

// value is one value of a condition, read for its attribute's type: text (a LIKE pattern
// in ADF's % and _), a number, or a span of time [from, to) (a UTC day, or a second).
type value struct {
	text     string
	num      int64
	from, to time.Time
}

// condition compares one attribute (UPPER or LOWER of it when fold says) to its values.
// negated is NOT LIKE, NOT IN, NOT BETWEEN, IS NOT NULL.
type condition struct {
	attr    Attribute
	fold    string
	op      op
	negated bool
	values  []value
}

type sqlWriter struct {
	b       strings.Builder
	args    []any
	dialect Dialect
}

func (w *sqlWriter) str(s string) { w.b.WriteString(s) }
func (w *sqlWriter) arg(a any) {
	w.b.WriteByte('?')
	w.args = append(w.args, a)
}

func sqlOf(e Expr, d Dialect) (string, []any) {
	w := &sqlWriter{dialect: d}
	e.write(w)
	return w.b.String(), w.args
}

func (e *andExpr) SQL(d Dialect) (string, []any)   { return sqlOf(e, d) }
func (e *orExpr) SQL(d Dialect) (string, []any)    { return sqlOf(e, d) }
func (e *notExpr) SQL(d Dialect) (string, []any)   { return sqlOf(e, d) }
func (e *condition) SQL(d Dialect) (string, []any) { return sqlOf(e, d) }

func writeJoined(w *sqlWriter, terms []Expr, joiner string) {
	w.str("(")
	for i, t := range terms {
		if i > 0 {
			w.str(joiner)
		}
		t.write(w)
	}
	w.str(")")
}

func (e *andExpr) write(w *sqlWriter) { writeJoined(w, e.terms, " AND ") }
func (e *orExpr) write(w *sqlWriter)  { writeJoined(w, e.terms, " OR ") }
func (e *notExpr) write(w *sqlWriter) {
	switch e.x.(type) {
	case *andExpr, *orExpr: // parenthesized already
		w.str("NOT ")
		e.x.write(w)
	default:
		w.str("NOT (")
		e.x.write(w)
		w.str(")")
	}
}

// operand is the compared side: the column, folded for text, as seconds since the epoch
// on SQLite for times (SQLite keeps times as text whose own order isn't time order).
func (c *condition) operand(w *sqlWriter) string {
	switch {
	case c.fold != "":
		return c.fold + "(" + c.attr.Column + ")"
	case c.isTime() && w.dialect == SQLite:
		return "unixepoch(" + c.attr.Column + ")"
	}
	return c.attr.Column
}

func (c *condition) isTime() bool { return c.attr.Type == Date || c.attr.Type == Timestamp }

// timeArg binds an instant: seconds since the epoch on SQLite, the time on PostgreSQL.
func (w *sqlWriter) timeArg(t time.Time) {
	if w.dialect == SQLite {
		w.arg(t.Unix())
		return
	}
	w.arg(t)
}

func (c *condition) valueArg(w *sqlWriter, v value) {
	switch c.attr.Type {
	case Number:
		w.arg(v.num)
	default:
		w.arg(v.text)
	}
}

func (c *condition) write(w *sqlWriter) {
	if c.op == opIsNull {
		if c.negated {
			w.str(c.attr.Column + " IS NOT NULL")
		} else {
			w.str(c.attr.Column + " IS NULL")
		}
		return
	}
	if c.negated {
		w.str("NOT (")
		defer w.str(")")
	}
	x := c.operand(w)
	if c.isTime() {
		c.writeTime(w, x)
		return
	}
	switch c.op {
	case opLike:
		if w.dialect == SQLite {
			// GLOB is SQLite's case-sensitive LIKE.
			w.str(x + " GLOB ")
			w.arg(globPattern(c.values[0].text))
		} else {
			w.str(x + " LIKE ")
			w.arg(postgresPattern(c.values[0].text))
		}
	case opIn:
		w.str(x + " IN (")
		for i, v := range c.values {
			if i > 0 {
				w.str(", ")
			}
			c.valueArg(w, v)
		}
		w.str(")")
	case opBetween:
		w.str(x + " BETWEEN ")
		c.valueArg(w, c.values[0])
		w.str(" AND ")
		c.valueArg(w, c.values[1])
	default:
		w.str(x + " " + comparisonSQL[c.op] + " ")
		c.valueArg(w, c.values[0])
	}
}

var comparisonSQL = map[op]string{opEq: "=", opNe: "<>", opLt: "<", opLe: "<=", opGt: ">", opGe: ">="}

// writeTime compares a time column with spans of time: equal means within the span.
func (c *condition) writeTime(w *sqlWriter, x string) {
	within := func(v value) {
		w.str("(" + x + " >= ")
		w.timeArg(v.from)
		w.str(" AND " + x + " < ")
		w.timeArg(v.to)
		w.str(")")
	}
	v := c.values[0]
	switch c.op {
	case opEq:
		within(v)
	case opNe:
		w.str("(" + x + " < ")
		w.timeArg(v.from)
		w.str(" OR " + x + " >= ")
		w.timeArg(v.to)
		w.str(")")
	case opLt:
		w.str(x + " < ")
		w.timeArg(v.from)
	case opLe:
		w.str(x + " < ")
		w.timeArg(v.to)
	case opGt:
		w.str(x + " >= ")
		w.timeArg(v.to)
	case opGe:
		w.str(x + " >= ")
		w.timeArg(v.from)
	case opIn:
		w.str("(")
		for i, v := range c.values {
			if i > 0 {
				w.str(" OR ")
			}
			within(v)
		}
		w.str(")")
	case opBetween:
		within(value{from: c.values[0].from, to: c.values[1].to})
	}
}

// globPattern turns a LIKE pattern (% any run, _ one character) into SQLite's GLOB, every
// other character literal.
func globPattern(like string) string {
	var b strings.Builder
	for _, r := range like {
		switch r {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '*', '?', '[':
			b.WriteString("[" + string(r) + "]")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// postgresPattern keeps a LIKE pattern's % and _ and makes PostgreSQL's escape character,
// the backslash, literal: ADF's LIKE has no escape character.
func postgresPattern(like string) string { return strings.ReplaceAll(like, `\`, `\\`) }
