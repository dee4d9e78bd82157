// Package untrusted bounds what a caller wrote (a path, a header, a token's header or claims)
// before it reaches an error message or a log line: one request must not make its error or
// its log line as large as itself. One cutting function serves every bound.
package untrusted

import (
	"strconv"
)

const (
	// MaxEchoLength bounds a value of the request quoted in an error (a path, a parameter
	// name, a header, an element name): a longer one is cut and ends in "…".
	MaxEchoLength = 256
	// MaxEchoedReasonLength bounds the validator's reason, which may quote the value.
	MaxEchoedReasonLength = 1024
	// MaxQuotedLength is enough of a token's value to recognise it in a log line.
	MaxQuotedLength = 64
	// MaxTokenRefusalLength bounds a token verifier's whole reason, for the values that
	// golang-jwt itself writes into its errors (a malformed claim's text, say).
	MaxTokenRefusalLength = 512
)

// Cut keeps the first limit characters of s (whole UTF-8 sequences, as JSON Schema counts
// them); cut tells whether there were more.
func Cut(s string, limit int) (kept string, cut bool) {
	if len(s) <= limit {
		return s, false
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i], true
		}
		n++
	}
	return s, false
}

// Clip cuts s to at most limit characters, the last of them "…" when it cuts.
func Clip(s string, limit int) string {
	if _, cut := Cut(s, limit); !cut {
		return s
	}
	kept, _ := Cut(s, limit-1)
	return kept + "…"
}

// Echoed is a value of the request as an error quotes it: at most MaxEchoLength
// characters, then "…".
func Echoed(s string) string {
	return Clip(s, MaxEchoLength+1)
}

// Quote quotes a value the caller chose, at most MaxQuotedLength characters of it,
// followed by its length when it is cut.
func Quote(value string) string {
	kept, cut := Cut(value, MaxQuotedLength)
	return strconv.Quote(kept) + lengthWhenCut(value, cut)
}

// Bound cuts text holding values the caller chose to at most limit characters, followed by
// its length when it is cut.
func Bound(text string, limit int) string {
	kept, cut := Cut(text, limit)
	return kept + lengthWhenCut(text, cut)
}

func lengthWhenCut(text string, cut bool) string {
	if !cut {
		return ""
	}
	return "…(" + strconv.Itoa(len(text)) + " bytes)"
}
