package httpapi

import (
	"net/http"
	"strconv"
	"strings"
)

// Weighted lists are the headers whose elements carry a q-value: Accept (RFC 9110 §12.5.1)
// and Accept-Language (§12.5.4). One parser reads both, with bounded work whatever the
// client sends, before validation, authentication or rate limiting have looked at the
// request.

const (
	// MaxWeightedListBytes bounds a weighted-list header (the spec's maxLength of
	// Accept-Language): a longer one is not parsed and admits nothing.
	MaxWeightedListBytes = 1024
	// maxWeightedListElements bounds the elements read; later ones are ignored.
	maxWeightedListElements = 32
)

// WeightedElement is an element of a weighted list whose weight, if it has one, is
// well-formed.
type WeightedElement struct {
	// Value is what precedes the parameters: a media range or a language range.
	Value string
	// Params are the parameters other than q, as sent ("charset=utf-8").
	Params []string
	// Quality is the q-value, 1 without one.
	Quality float64
}

// WeightedList is a parsed weighted-list header.
type WeightedList struct {
	// Elements are the Elements with a well-formed weight, in header order.
	Elements []WeightedElement
	// Read counts the non-empty elements Read, well-formed or not.
	Read int
	// TooLong: the header is longer than maxWeightedListBytes and was not parsed.
	TooLong bool
}

// HeaderList is the value of a list header: its field lines joined with commas, which
// means the same (RFC 9110 §5.3). ok is false, and nothing is joined, when the value would
// be longer than maxWeightedListBytes.
func HeaderList(h http.Header, name string) (value string, ok bool) {
	values := h.Values(name)
	length := 0
	for i, v := range values {
		if i > 0 {
			length += len(", ")
		}
		if length += len(v); length > MaxWeightedListBytes {
			return "", false
		}
	}
	return strings.Join(values, ", "), true
}

// ParseWeightedList reads `#( value *( OWS ";" OWS parameter ) )`, where the parameter q is
// the weight (RFC 9110 §12.4.2). An element whose weight is not a well-formed qvalue, or
// that has two, is malformed: it is counted in read but not kept. Commas and semicolons
// inside quoted strings do not separate anything.
func ParseWeightedList(header string) WeightedList {
	if len(header) > MaxWeightedListBytes {
		return WeightedList{TooLong: true}
	}
	var list WeightedList
	for _, element := range splitUnquoted(header, ',') {
		element = strings.TrimSpace(element)
		if element == "" {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		if list.Read == maxWeightedListElements {
			break
		}
		list.Read++
		if e, ok := parseWeightedElement(element); ok {
			list.Elements = append(list.Elements, e)
		}
	}
	return list
}

func parseWeightedElement(element string) (WeightedElement, bool) {
	parts := splitUnquoted(element, ';')
	e := WeightedElement{Value: strings.TrimSpace(parts[0]), Quality: 1}
	weighted := false
	for _, param := range parts[1:] {
		param = strings.TrimSpace(param)
		name, value, _ := strings.Cut(param, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			e.Params = append(e.Params, param)
			continue
		}
		q, ok := parseQValue(strings.TrimSpace(value))
		if !ok || weighted {
			return WeightedElement{}, false
		}
		e.Quality, weighted = q, true
	}
	return e, true
}

// splitUnquoted splits s at each sep outside a quoted string (RFC 9110 §5.6.4, with
// backslash escapes); an unterminated quoted string runs to the end.
func splitUnquoted(s string, sep byte) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseQValue: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ] (RFC 9110 §12.4.2).
func parseQValue(s string) (float64, bool) {
	whole, fraction, _ := strings.Cut(s, ".")
	if (whole != "0" && whole != "1") || len(fraction) > 3 || strings.Trim(fraction, "0123456789") != "" {
		return 0, false
	}
	if whole == "1" && strings.Trim(fraction, "0") != "" {
		return 0, false
	}
	q, err := strconv.ParseFloat(s, 64)
	return q, err == nil
}
