package store

import (
	"strings"
	"time"
)

// auditTimeCondition is the condition "occurred_at op t" (op one of <, <=, >, >=) and its
// bound value. SQLite keeps times as RFC 3339 text with the fraction's trailing zeros trimmed
// ("…:09Z", "…:09.5Z", "…:09.51Z"): 'Z' sorts after '.' and the digits, so comparing the
// text puts a whole second after the times within it and ".5Z" after ".51Z". With the 'Z'
// replaced by a space, which sorts before both, the text's order is the times' order.
func (tx *Tx) auditTimeCondition(op string, t time.Time) (string, any) {
	if tx.dialect != SQLite {
		return "occurred_at " + op + " ?", t.UTC()
	}
	return "replace(occurred_at, 'Z', ' ') " + op + " ?", strings.Replace(t.UTC().Format(time.RFC3339Nano), "Z", " ", 1)
}
