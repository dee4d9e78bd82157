package oracle

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/store"
)

// The q query parameter in the framework's simple syntax, equality only:
//
//	q=Attribute=value;Attribute='quoted value';Attribute="quoted value"
//
// A quoted value is one complete quoted token, a quote inside it doubled ('O''Brien'); it
// may hold spaces, ; and operators. An unquoted value may not. Whatever else a term holds
// (a second condition, "and", "or", another operator) is refused, never read as part of a
// value.

// qTermPattern is one term: an attribute name, "=", and the rest, which is the value.
var qTermPattern = regexp.MustCompile(`(?s)^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$`)

// unquotedValueRefuses are what an unquoted value may not hold: spaces, quotes and the
// characters of operators.
const unquotedValueRefuses = " \t\r\n'\"=<>!"

// parseQ reads q into equality conditions on the role attributes it names.
func parseQ(q *string) ([]store.OracleRoleCondition, error) {
	if q == nil || strings.TrimSpace(*q) == "" {
		return nil, nil
	}
	terms, err := splitQTerms(*q)
	if err != nil {
		return nil, err
	}
	conditions := make([]store.OracleRoleCondition, 0, len(terms))
	for _, term := range terms {
		condition, err := parseQTerm(term)
		if err != nil {
			return nil, err
		}
		conditions = append(conditions, condition)
	}
	return conditions, nil
}

// splitQTerms splits q at the semicolons outside quoted values.
func splitQTerms(q string) ([]string, error) {
	var (
		terms []string
		start int
		quote byte // the quote of the value being read, 0 outside one
	)
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case quote != 0 && c == quote:
			quote = 0 // a doubled quote closes and reopens the value: the same split
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == ';':
			terms = append(terms, q[start:i])
			start = i + 1
		}
	}
	if quote != 0 {
		return nil, invalidQuery("q", "the quoted value in "+strconv.Quote(strings.TrimSpace(q[start:]))+" has no closing "+string(quote))
	}
	return append(terms, q[start:]), nil
}

// parseQTerm reads one Attribute=value term.
func parseQTerm(term string) (store.OracleRoleCondition, error) {
	m := qTermPattern.FindStringSubmatch(term)
	if m == nil {
		return store.OracleRoleCondition{}, invalidQuery("q", strconv.Quote(strings.TrimSpace(term))+
			" isn't an Attribute=value term; only equality terms joined by ; are supported")
	}
	name := m[1]
	attribute, known := roleAttributeNamed(name)
	if !known {
		return store.OracleRoleCondition{}, invalidQuery("q", "attribute "+name+" isn't defined in SelfServiceRoles")
	}
	if attribute.field == "" || attribute.kind == otherAttribute {
		return store.OracleRoleCondition{}, invalidQuery("q", "attribute "+name+" can't be used in q")
	}
	value, err := qValue(name, m[2])
	if err != nil {
		return store.OracleRoleCondition{}, err
	}
	condition := store.OracleRoleCondition{Field: attribute.field, Value: value}
	if attribute.kind == integerAttribute {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return store.OracleRoleCondition{}, invalidQuery("q", name+" is a number, not "+strconv.Quote(value))
		}
		condition.Value = n
	}
	return condition, nil
}

// qValue reads the value of attribute name's term: one quoted token, or an unquoted word.
func qValue(name, raw string) (string, error) {
	if raw == "" {
		return "", invalidQuery("q", name+" has no value; write an empty value as ''")
	}
	quote := raw[0]
	if quote != '\'' && quote != '"' {
		if i := strings.IndexAny(raw, unquotedValueRefuses); i >= 0 {
			return "", invalidQuery("q", "the value of "+name+", "+strconv.Quote(raw)+", holds "+strconv.Quote(raw[i:i+1])+
				"; only equality terms joined by ; are supported, and a value holding spaces, quotes or operators must be quoted")
		}
		return raw, nil
	}
	var value strings.Builder
	for i := 1; i < len(raw); i++ {
		if raw[i] != quote {
			value.WriteByte(raw[i])
			continue
		}
		if i+1 < len(raw) && raw[i+1] == quote {
			value.WriteByte(quote) // a doubled quote stands for one
			i++
			continue
		}
		if rest := raw[i+1:]; rest != "" {
			return "", invalidQuery("q", "the quoted value of "+name+" is followed by "+strconv.Quote(rest)+
				"; only equality terms joined by ; are supported")
		}
		return value.String(), nil
	}
	// splitQTerms found the closing quote of every value, so this is one doubled to the end.
	return "", invalidQuery("q", "the quoted value of "+name+" has no closing "+string(quote))
}
