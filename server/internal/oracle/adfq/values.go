package adfq

import (
	"strconv"
	"strings"
	"time"
)

// readValue reads the value token t for attribute a. Rowmatch (qbe false) takes text only
// quoted, numbers unquoted or quoted, and dates and timestamps quoted; query-by-example
// takes any value quoted or not.
func readValue(a Attribute, t token, qbe bool, b *bounds) (value, error) {
	if err := b.value(t); err != nil {
		return value{}, err
	}
	switch t.kind {
	case kString:
	case kWord, kNumber:
		if !qbe && a.Type != Number {
			if t.kind == kWord {
				return value{}, t.errorf("attributes are compared with values, not with each other; quote a value with '")
			}
			return value{}, t.errorf("%s is %s; quote its value with '", a.Name, a.Type)
		}
	default:
		return value{}, t.errorf("expected a value for %s", a.Name)
	}
	if qbe && t.kind == kWord && t.isKeyword() {
		return value{}, t.errorf("%s is an operator; quote a value that is the same word", upperASCII(t.text))
	}
	switch a.Type {
	case Text:
		return value{text: t.value}, nil
	case Number:
		n, err := strconv.ParseInt(t.value, 10, 64)
		if err != nil {
			if _, ferr := strconv.ParseFloat(t.value, 64); ferr == nil && !strings.ContainsAny(t.value, "xXpP_") {
				return value{}, t.errorf("%s is a whole number", a.Name)
			}
			return value{}, t.errorf("%s is a number, and this isn't one", a.Name)
		}
		return value{num: n}, nil
	case Date:
		day, err := time.Parse(time.DateOnly, t.value)
		if err != nil {
			return value{}, t.errorf("%s is a date; write it as YYYY-MM-DD", a.Name)
		}
		return value{from: day, to: day.AddDate(0, 0, 1)}, nil
	case Timestamp:
		if day, err := time.Parse(time.DateOnly, t.value); err == nil {
			return value{from: day, to: day.AddDate(0, 0, 1)}, nil
		}
		if strings.Contains(t.value, ".") {
			return value{}, t.errorf("%s is compared to the second; write the timestamp without a fraction of a second", a.Name)
		}
		for _, layout := range timestampLayouts {
			if at, err := time.Parse(layout, t.value); err == nil {
				at = at.UTC()
				return value{from: at, to: at.Add(time.Second)}, nil
			}
		}
		return value{}, t.errorf("%s is a timestamp; write it as YYYY-MM-DDTHH:MM:SS with Z or an offset (UTC when absent), or YYYY-MM-DD for a whole day", a.Name)
	}
	return value{}, t.errorf("%s can't be compared", a.Name)
}

var timestampLayouts = []string{
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05",
}

// checkOperator refuses an operator the attribute's type has no meaning for.
func checkOperator(a Attribute, o op, t token) error {
	if o == opLike && a.Type != Text {
		return t.errorf("LIKE compares text, and %s is %s", a.Name, a.Type)
	}
	return nil
}
