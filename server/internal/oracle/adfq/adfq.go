// Package adfq reads the q query parameter of Oracle's ADF REST framework and turns it into
// parameterized SQL.
//
// Framework version 1 takes query-by-example: terms joined by ; (all must hold), each
// Attribute<op>value, the value optionally starting with an operator of its own
// (RoleId=>5, LoginId=LIKE ann*, RoleId=IN (1,2), EndDate=IS NULL). Versions 2 and later
// take rowmatch expressions (RelationshipTypeCd = 'ORA_CSS_USER' and (RoleId > 5 or
// UPPER(LoginId) LIKE 'ANN%')), read by a recursive-descent parser into a tree.
//
// The caller passes the catalogue of attributes q may name, each with its SQL column and
// type. The SQL built from a parsed q holds only those columns, keywords, operators,
// parentheses, commas and ? placeholders; every value of q is a bound argument. Nothing
// the caller wrote is ever part of the SQL text.
//
// The package imports nothing of the project: the caller maps its own attributes into a
// Catalogue and the resulting SQL and arguments into its store.
package adfq

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Bounds of a q.
const (
	// MaxLength is the longest q read, in characters (the spec's maxLength).
	MaxLength = 4000
	// MaxDepth is the deepest nesting of parentheses and NOT.
	MaxDepth = 10
	// MaxConditions is the most conditions (comparisons) one q may hold.
	MaxConditions = 50
	// MaxValues is the most values one q may hold, IN lists included.
	MaxValues = 200
)

// Type is how an attribute's values are read and compared.
type Type int

const (
	// Text compares strings, case-sensitively; LIKE, UPPER and LOWER apply to it only.
	Text Type = iota + 1
	// Number is a whole number (the attributes served are ids).
	Number
	// Date compares whole UTC days: a value is YYYY-MM-DD.
	Date
	// Timestamp compares instants to the second (the precision the resource shows): a
	// value is YYYY-MM-DDTHH:MM:SS with Z or an offset (UTC when absent), or YYYY-MM-DD for
	// the whole UTC day.
	Timestamp
)

func (t Type) String() string {
	switch t {
	case Text:
		return "text"
	case Number:
		return "a number"
	case Date:
		return "a date"
	case Timestamp:
		return "a timestamp"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Attribute is one attribute q may name: its exact (case-sensitive) name, the SQL
// expression of its column, and its type.
type Attribute struct {
	Name   string
	Column string
	Type   Type
}

// Catalogue is the attributes q may name.
type Catalogue struct {
	attributes []Attribute
	byName     map[string]Attribute
}

var (
	attributeNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	// columnPattern is a column, optionally qualified by a table alias: all the SQL text
	// a catalogue contributes.
	columnPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)
)

// NewCatalogue checks the attributes: names are identifiers and unique, and not keywords;
// columns are plain (optionally alias-qualified) lower-case identifiers.
func NewCatalogue(attributes ...Attribute) (*Catalogue, error) {
	c := &Catalogue{byName: make(map[string]Attribute, len(attributes))}
	for _, a := range attributes {
		if !attributeNamePattern.MatchString(a.Name) {
			return nil, fmt.Errorf("adfq: attribute name %q isn't an identifier", a.Name)
		}
		if _, keyword := keywords[upperASCII(a.Name)]; keyword {
			return nil, fmt.Errorf("adfq: attribute name %q is a keyword", a.Name)
		}
		if !columnPattern.MatchString(a.Column) {
			return nil, fmt.Errorf("adfq: column %q of attribute %s isn't a plain column", a.Column, a.Name)
		}
		if _, columnKeyword := keywords[upperASCII(a.Column)]; columnKeyword {
			return nil, fmt.Errorf("adfq: column %q of attribute %s is a keyword", a.Column, a.Name)
		}
		if a.Type < Text || a.Type > Timestamp {
			return nil, fmt.Errorf("adfq: attribute %s has no type", a.Name)
		}
		if _, dup := c.byName[a.Name]; dup {
			return nil, fmt.Errorf("adfq: attribute %s is listed twice", a.Name)
		}
		c.byName[a.Name] = a
		c.attributes = append(c.attributes, a)
	}
	return c, nil
}

// MustCatalogue is NewCatalogue for catalogues fixed in code.
func MustCatalogue(attributes ...Attribute) *Catalogue {
	c, err := NewCatalogue(attributes...)
	if err != nil {
		panic(err)
	}
	return c
}

// Attributes returns the catalogue's attributes in the order given.
func (c *Catalogue) Attributes() []Attribute { return append([]Attribute(nil), c.attributes...) }

// Lookup finds an attribute by its exact name.
func (c *Catalogue) Lookup(name string) (Attribute, bool) {
	a, ok := c.byName[name]
	return a, ok
}

// Error is a q refused: the offending token (empty at the end of q), its 1-based position
// in characters (the length of q plus one at the end), and why.
type Error struct {
	Token    string
	Position int
	Reason   string
}

// maxTokenEcho is the most characters of a token an error repeats.
const maxTokenEcho = 40

func (e *Error) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("at the end of q (position %d): %s", e.Position, e.Reason)
	}
	return fmt.Sprintf("%s at position %d: %s", strconv.Quote(e.Token), e.Position, e.Reason)
}

// clip shortens a token to what an error repeats.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxTokenEcho {
		return s
	}
	r := []rune(s)
	return string(r[:maxTokenEcho]) + "…"
}

// Parse reads q as the framework version asks: query-by-example for version 1, rowmatch
// for 2 and later. An empty (or all-blank) q gives a nil Expr: no condition. A refusal is
// an *Error.
func Parse(q string, frameworkVersion int, c *Catalogue) (Expr, error) {
	if !utf8.ValidString(q) {
		return nil, &Error{Token: "", Position: invalidUTF8Position(q), Reason: "q isn't valid UTF-8"}
	}
	runes := []rune(q)
	if len(runes) > MaxLength {
		return nil, &Error{Token: clip(string(runes[MaxLength:])), Position: MaxLength + 1,
			Reason: fmt.Sprintf("q is longer than %d characters", MaxLength)}
	}
	for i, r := range runes {
		if r == 0 || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return nil, &Error{Token: fmt.Sprintf("%U", r), Position: i + 1, Reason: "q may not hold control characters"}
		}
	}
	b := &bounds{}
	if frameworkVersion <= 1 {
		return parseQBE(runes, c, b)
	}
	return parseRowmatch(runes, c, b)
}

// invalidUTF8Position is the 1-based character position of the first invalid byte.
func invalidUTF8Position(q string) int {
	n := 1
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		if r == utf8.RuneError && size <= 1 {
			return n
		}
		i += size
		n++
	}
	return n
}

// bounds counts what a q holds against the limits.
type bounds struct {
	conditions int
	values     int
}

func (b *bounds) condition(t token) error {
	b.conditions++
	if b.conditions > MaxConditions {
		return t.errorf("q holds more than %d conditions", MaxConditions)
	}
	return nil
}

func (b *bounds) value(t token) error {
	b.values++
	if b.values > MaxValues {
		return t.errorf("q holds more than %d values", MaxValues)
	}
	return nil
}
