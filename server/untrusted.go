package server

import (
	"strconv"
)

// What a caller wrote (a path, a header, a token's header or claims) reaches error messages
// and log lines; it is cut short there, so that one request cannot make its error or its
// log line as large as itself.
const (
	// maxEchoLength bounds a value of the request quoted in an error (a path, a parameter
	// name, a header, an element name): a longer one is cut and ends in "…".
	maxEchoLength = 256
	// maxEchoedReasonLength bounds the validator's reason, which may quote the value.
	maxEchoedReasonLength = 1024
	// maxQuotedLength is enough of a token's value to recognise it in a log line.
	maxQuotedLength = 64
	// maxTokenRefusalLength bounds a token verifier's whole reason, for the values that
	// golang-jwt itself writes into its errors (a malformed claim's text, say).
	maxTokenRefusalLength = 512
)

// cutCharacters keeps the first limit characters of s (whole UTF-8 sequences, as JSON
// Schema counts them); cut tells whether there were more.
func cutCharacters(s string, limit int) (kept string, cut bool) {
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

// clip cuts s to at most limit characters, the last of them "…" when it cuts.
func clip(s string, limit int) string {
	if _, cut := cutCharacters(s, limit); !cut {
		return s
	}
	kept, _ := cutCharacters(s, limit-1)
	return kept + "…"
}

// echoed is a value of the request as an error quotes it: at most maxEchoLength
// characters, then "…".
func echoed(s string) string {
	return clip(s, maxEchoLength+1)
}

// quoteUntrusted quotes a value the caller chose, at most maxQuotedLength characters of
// it, followed by its length when it is cut.
func quoteUntrusted(value string) string {
	kept, cut := cutCharacters(value, maxQuotedLength)
	return strconv.Quote(kept) + lengthWhenCut(value, cut)
}

// boundUntrusted cuts text holding values the caller chose to at most limit characters,
// followed by its length when it is cut.
func boundUntrusted(text string, limit int) string {
	kept, cut := cutCharacters(text, limit)
	return kept + lengthWhenCut(text, cut)
}

func lengthWhenCut(text string, cut bool) string {
	if !cut {
		return ""
	}
	return "…(" + strconv.Itoa(len(text)) + " bytes)"
}
