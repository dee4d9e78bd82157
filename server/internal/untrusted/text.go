package untrusted

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The text rule: every string a caller sends that the service reads (a path or query
// value, a header it reads, a form field, a JSON or XML value or member name, a token's
// claim) must be valid UTF-8 without control characters (U+0000 to U+001F) before it
// reaches a store call. PostgreSQL refuses invalid UTF-8 and NUL outright (SQLSTATE
// 22021), and no field of these APIs holds free text that could need a control character:
// they are identifiers, names, codes, logins and query expressions.

// TextFault says why s breaks the text rule, or "" when it keeps it.
func TextFault(s string) string {
	if !utf8.ValidString(s) {
		return "text must be valid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == 0:
			return "text may not contain a NUL character"
		case r < 0x20:
			return fmt.Sprintf("text may not contain the control character U+%04X", r)
		}
	}
	return ""
}

// JSONTextFault says why the JSON text data breaks the text rule where a decoder would
// hide it: bytes that are not UTF-8, and \u escapes of lone UTF-16 surrogates, which
// encoding/json turns into U+FFFD silently. Control characters, escaped or not, are left
// to TextFault on the decoded strings (raw ones make the JSON itself invalid).
func JSONTextFault(data []byte) string {
	if !utf8.Valid(data) {
		return "text must be valid UTF-8"
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if data[i+1] != 'u' {
				i++ // an escaped character: \" or \\ among them
				continue
			}
			r, ok := hex4(data, i+2)
			switch {
			case !ok:
				i++
			case r >= 0xDC00 && r <= 0xDFFF:
				return "text may not contain a lone UTF-16 surrogate"
			case r >= 0xD800 && r <= 0xDBFF:
				low, lowOK := rune(0), false
				if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
					low, lowOK = hex4(data, i+8)
				}
				if !lowOK || low < 0xDC00 || low > 0xDFFF {
					return "text may not contain a lone UTF-16 surrogate"
				}
				i += 11 // the pair
			default:
				i += 5
			}
		}
	}
	return ""
}

// hex4 reads the four hexadecimal digits at data[at:].
func hex4(data []byte, at int) (rune, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[at : at+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}

// Shown is s as an error or a log line may show it: invalid UTF-8 and control characters,
// which the text rule refuses, replaced by U+FFFD, so that no answer carries them back.
func Shown(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
