package server

import (
	"strconv"
	"unicode/utf8"
)

// Values a caller chose (a token's header, its claims) reach refusal reasons, which are
// logged; they are cut short there, so that one request cannot write a huge log line.
const (
	// maxQuotedLength is enough of a value to recognise it.
	maxQuotedLength = 64
	// maxTokenRefusalLength bounds a token verifier's whole reason, for the values that
	// golang-jwt itself writes into its errors (a malformed claim's text, say).
	maxTokenRefusalLength = 512
)

// quoteUntrusted quotes a value the caller chose, at most maxQuotedLength bytes of it.
func quoteUntrusted(value string) string {
	quoted, cut := truncateUntrusted(value, maxQuotedLength)
	return strconv.Quote(quoted) + cut
}

// boundUntrusted cuts text holding values the caller chose to at most limit bytes.
func boundUntrusted(text string, limit int) string {
	kept, cut := truncateUntrusted(text, limit)
	return kept + cut
}

// truncateUntrusted keeps at most limit bytes of text, whole UTF-8 sequences only; cut
// says how long the text was when it is cut, and is empty otherwise.
func truncateUntrusted(text string, limit int) (kept, cut string) {
	if len(text) <= limit {
		return text, ""
	}
	end := limit
	for end > 0 && !utf8.RuneStart(text[end]) {
		end--
	}
	return text[:end], "…(" + strconv.Itoa(len(text)) + " bytes)"
}
