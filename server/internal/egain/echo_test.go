package egain

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/custaccess/custaccess/server/internal/untrusted"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s     string
		limit int
		want  string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"äöü", 3, "äöü"},
		{"äöüß", 3, "äö…"},
		{"日本語テキスト", 4, "日本語…"},
	} {
		if got := untrusted.Clip(tc.s, tc.limit); got != tc.want {
			t.Errorf("untrusted.Clip(%q, %d) = %q, want %q", tc.s, tc.limit, got, tc.want)
		}
	}
	// body keeps to WSError's limits whatever the arguments and details.
	e := newEgainError(errPathIDsNotFound, []string{strings.Repeat("x", 3000)})
	for range 40 {
		e.with("id", strings.Repeat("y", 3000))
	}
	for _, locale := range []int{defaultLocale, 9} {
		body := e.body(egainPreferences{locale: locale, userMessage: true})
		if n := utf8.RuneCountInString(body.DeveloperMessage); n != maxDeveloperMessageLength || !strings.HasSuffix(body.DeveloperMessage, "x…") {
			t.Errorf("%s: developerMessage of %d characters", egainLocales[locale], n)
		}
		if len(*body.Details) != maxErrorDetails || utf8.RuneCountInString((*body.Details)[0].Value) != maxDetailValueLength {
			t.Errorf("%s: %d details, the first of %d characters", egainLocales[locale], len(*body.Details), utf8.RuneCountInString((*body.Details)[0].Value))
		}
	}
	if got := untrusted.Echoed(strings.Repeat("é", 1000)); utf8.RuneCountInString(got) != untrusted.MaxEchoLength+1 || !strings.HasSuffix(got, "é…") {
		t.Errorf("echoed: %d characters, ending %q", utf8.RuneCountInString(got), got[len(got)-8:])
	}
}
