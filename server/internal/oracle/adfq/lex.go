package adfq

import (
	"fmt"
	"strings"
)

// kind is what a token is.
type kind int

const (
	kEOF kind = iota
	kWord
	kString
	kNumber
	kOp
	kLParen
	kRParen
	kComma
	// kErr stands where the lexer stopped: the parser reports its error on reaching it,
	// so the leftmost problem of q is the one reported.
	kErr
)

// token is one token of q: its source text, its value (a string's content without quotes),
// and its 1-based character position.
type token struct {
	kind  kind
	text  string
	value string
	pos   int
	err   *Error // of a kErr token
}

func (t token) errorf(format string, args ...any) *Error {
	if t.kind == kErr {
		return t.err
	}
	return &Error{Token: clip(t.text), Position: t.pos, Reason: fmt.Sprintf(format, args...)}
}

// keyword tells whether the token is the keyword kw (case-insensitively).
func (t token) keyword(kw string) bool { return t.kind == kWord && upperASCII(t.text) == kw }

// isKeyword tells whether the token is any keyword.
func (t token) isKeyword() bool {
	_, ok := keywords[upperASCII(t.text)]
	return t.kind == kWord && ok
}

// keywords are the words of q's syntax, any case. Attribute names may not be keywords.
var keywords = map[string]struct{}{
	"AND": {}, "OR": {}, "NOT": {}, "LIKE": {}, "IN": {}, "BETWEEN": {}, "IS": {}, "NULL": {},
	"UPPER": {}, "LOWER": {},
}

func upperASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }
func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isLetter(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_'
}

// lexer reads tokens from src[from:to]; positions are 1-based in src.
type lexer struct {
	src []rune
	i   int
	end int
	qbe bool // query-by-example: unquoted words are values, "..." quotes too
}

// typographicQuotes look like quotes and aren't.
const typographicQuotes = "\u2018\u2019\u201a\u201b\u201c\u201d\u2032\u00b4`"

// strangeCharacter explains a character that starts no token.
func strangeCharacter(r rune, qbe bool) string {
	switch r {
	case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\u00b4', '`':
		return "isn't a quote of q; quote values with ' (U+0027)"
	case '\u201c', '\u201d', '"':
		if qbe {
			return "isn't a quote of q; quote values with ' or \""
		}
		return "isn't a quote of rowmatch expressions; quote values with '"
	case ';':
		return "; joins terms only with REST-Framework-Version 1; with version 2 and later join conditions with AND"
	}
	return "isn't part of the q syntax"
}

func (l *lexer) next() (token, error) {
	for l.i < l.end && isSpace(l.src[l.i]) {
		l.i++
	}
	if l.i >= l.end {
		eof := token{kind: kEOF, pos: l.end + 1}
		if l.end < len(l.src) {
			eof.text = string(l.src[l.end]) // the ; that ends a term of query-by-example
		}
		return eof, nil
	}
	start := l.i
	r := l.src[l.i]
	emit := func(k kind, n int) (token, error) {
		l.i += n
		text := string(l.src[start:l.i])
		return token{kind: k, text: text, value: text, pos: start + 1}, nil
	}
	peek := func(n int) rune {
		if l.i+n < l.end {
			return l.src[l.i+n]
		}
		return 0
	}
	switch {
	case r == '\'' || (l.qbe && r == '"'):
		return l.quoted(r)
	case r == '(':
		return emit(kLParen, 1)
	case r == ')':
		return emit(kRParen, 1)
	case r == ',':
		return emit(kComma, 1)
	case r == '=':
		return emit(kOp, 1)
	case r == '!' && peek(1) == '=':
		return emit(kOp, 2)
	case r == '<' && (peek(1) == '=' || peek(1) == '>'):
		return emit(kOp, 2)
	case r == '>' && peek(1) == '=':
		return emit(kOp, 2)
	case r == '<' || r == '>':
		return emit(kOp, 1)
	}
	if l.qbe {
		for l.i < l.end && !strings.ContainsRune(" \t\r\n'\"=<>!(),", l.src[l.i]) {
			if r := l.src[l.i]; strings.ContainsRune(typographicQuotes, r) {
				// A value quoted with typographic quotes is a mistake, not a value.
				return token{}, &Error{Token: string(r), Position: l.i + 1, Reason: strangeCharacter(r, true)}
			}
			l.i++
		}
		if l.i == start {
			return token{}, &Error{Token: string(r), Position: start + 1, Reason: strangeCharacter(r, true)}
		}
		text := string(l.src[start:l.i])
		return token{kind: kWord, text: text, value: text, pos: start + 1}, nil
	}
	switch {
	case isLetter(r):
		for l.i < l.end && (isLetter(l.src[l.i]) || isDigit(l.src[l.i])) {
			l.i++
		}
		return emit(kWord, 0)
	case isDigit(r) || (r == '-' && isDigit(peek(1))):
		l.i++
		for l.i < l.end && isDigit(l.src[l.i]) {
			l.i++
		}
		if l.i+1 < l.end && l.src[l.i] == '.' && isDigit(l.src[l.i+1]) {
			l.i++
			for l.i < l.end && isDigit(l.src[l.i]) {
				l.i++
			}
		}
		// A number runs into nothing: 5abc or 1.2.3 is one bad token, not two.
		if l.i < l.end && (isLetter(l.src[l.i]) || isDigit(l.src[l.i]) || l.src[l.i] == '.') {
			for l.i < l.end && (isLetter(l.src[l.i]) || isDigit(l.src[l.i]) || l.src[l.i] == '.') {
				l.i++
			}
			text := string(l.src[start:l.i])
			return token{}, &Error{Token: clip(text), Position: start + 1, Reason: "isn't a number"}
		}
		return emit(kNumber, 0)
	}
	return token{}, &Error{Token: string(r), Position: start + 1, Reason: strangeCharacter(r, false)}
}

// quoted reads a string quoted with q, the quote doubled inside it.
func (l *lexer) quoted(q rune) (token, error) {
	start := l.i
	var value strings.Builder
	for l.i++; l.i < l.end; l.i++ {
		if l.src[l.i] != q {
			value.WriteRune(l.src[l.i])
			continue
		}
		if l.i+1 < l.end && l.src[l.i+1] == q {
			value.WriteRune(q)
			l.i++
			continue
		}
		l.i++
		return token{kind: kString, text: string(l.src[start:l.i]), value: value.String(), pos: start + 1}, nil
	}
	return token{}, &Error{Token: clip(string(l.src[start:l.end])), Position: start + 1,
		Reason: "the quoted value has no closing " + string(q) + " (write a quote inside a value twice)"}
}

// tokens reads src[from:to] up to its end token, or up to a kErr token where the lexer
// stopped.
func tokens(src []rune, from, to int, qbe bool) ([]token, error) {
	l := &lexer{src: src, i: from, end: to, qbe: qbe}
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			lexErr := err.(*Error)
			return append(out, token{kind: kErr, text: lexErr.Token, pos: lexErr.Position, err: lexErr}), nil
		}
		out = append(out, t)
		if t.kind == kEOF {
			return out, nil
		}
	}
}
