package egain

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/custaccess/custaccess/server/internal/httpapi"
)

// TestAcceptLanguageBoundedWork: whatever the header, negotiation does bounded work before
// validation, authentication and rate limiting: a header over 1024 bytes is not parsed (and
// is no preference, not a 406), at most 32 entries are read, and language.Parse never sees a
// range of more than 16 subtags, so its time quadratic in variants stays small.
func TestAcceptLanguageBoundedWork(t *testing.T) {
	var calls, worst int
	saved := parseLanguageTag
	parseLanguageTag = func(s string) (language.Tag, error) {
		calls++
		worst = max(worst, strings.Count(s, "-")+1)
		return saved(s)
	}
	t.Cleanup(func() { parseLanguageTag = saved })
	// The elements httpapi reads of a weighted list at most (its maxWeightedListElements).
	maxWeightedListElements := httpapi.ParseWeightedList(strings.Repeat("a, ", 100)).Read
	if maxWeightedListElements >= 100 {
		t.Fatalf("httpapi reads %d elements of a weighted list: no bound", maxWeightedListElements)
	}

	for _, tc := range []struct {
		name, header, want string
		refused            bool // no entry is well-formed
	}{
		{"1 MB of entries", strings.Repeat("fr-CA, ", 1<<20/7), "en-US", false},
		{"100k variants", "de" + strings.Repeat("-1996a", 100_000), "en-US", false},
		{"1024 bytes of variants", "de" + strings.Repeat("-1996a", 170), "en-US", true},
		{"1024 bytes of entries", strings.Repeat("xx-Yyyy-ZZ-1996a, ", 1024/19), "en-US", false},
		{"1024 bytes of malformed entries", strings.Repeat("!,", 512), "en-US", true},
		{"one entry with 16 subtags", "de" + strings.Repeat("-1996a", 15), "de-DE", false},
		{"one entry with 17 subtags, then it", "de" + strings.Repeat("-1996a", 16) + ", it", "it-IT", false},
	} {
		calls, worst = 0, 0
		if got := egainLocales[negotiateLocale(tc.header)]; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if err := validAcceptLanguage(tc.header); (err != nil) != tc.refused {
			t.Errorf("%s: refused %v, want %v", tc.name, err, tc.refused)
		}
		if calls > 2*maxWeightedListElements || worst > maxLanguageSubtags {
			t.Errorf("%s: %d calls of language.Parse, up to %d subtags", tc.name, calls, worst)
		}
	}
	// Over 1024 bytes: no preference, not refused.
	if err := validAcceptLanguage(strings.Repeat("!", 2000)); err != nil {
		t.Errorf("a header over 1024 bytes is refused: %v", err)
	}
	// Nothing is even joined or split for a header over the limit.
	h := http.Header{"Accept-Language": {strings.Repeat("fr-CA, ", 1<<20/7)}, "Accept": {strings.Repeat("application/xml, ", 1<<20/17)}}
	if allocs := testing.AllocsPerRun(10, func() { egainPreferencesFrom(h) }); allocs > 4 {
		t.Errorf("negotiating 1 MB headers allocates %v times", allocs)
	}
}

// BenchmarkNegotiateLongHeaders: go test -run '^$' -bench NegotiateLongHeaders ./server/internal/egain/
func BenchmarkNegotiateLongHeaders(b *testing.B) {
	for name, h := range map[string]http.Header{
		"1MB":          {"Accept-Language": {strings.Repeat("fr-CA, ", 1<<20/7)}, "Accept": {strings.Repeat("application/xml, ", 1<<20/17)}},
		"100kVariants": {"Accept-Language": {"de" + strings.Repeat("-1996a", 100_000)}},
		"1024Bytes":    {"Accept-Language": {strings.Repeat("xx-Yyyy-ZZ-1996a, ", 1024/19)}, "Accept": {strings.Repeat("text/html;q=0.5, ", 1024/17)}},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				egainPreferencesFrom(h)
			}
		})
	}
}

func TestNegotiateLocale(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   string
	}{
		{"", "en-US"},
		{"*", "en-US"},
		{"fr-CA", "fr-CA"},
		{"fr", "fr-FR"},
		{"fr-CH", "fr-FR"},
		{"FR-be", "fr-FR"},
		{"pt", "pt-BR"},
		{"pt-AO", "pt-PT"},
		{"es-MX", "es-ES"},
		{"de-AT", "de-DE"},
		{"sv-FI", "sv-SE"},
		{"zh", "zh-CN"},
		{"zh-Hans-CN", "zh-CN"},
		{"ja", "ja-JP"},
		{"ko", "ko-KR"},
		{"nb", "da-DK"},
		{"en_US", "en-US"},
		{"pt_PT", "pt-PT"},
		{"zh-TW", "en-US"},     // only a weak match: the default
		{"xx-YY", "en-US"},     // well-formed, unknown
		{"x-private", "en-US"}, // well-formed, matches nothing
		{"de;q=0.5, it;q=0.8", "it-IT"},
		{"de;q=0.5, it;q=0.5", "de-DE"}, // header order on a tie
		{"xx, nl;q=0.1", "nl-NL"},
		{"zh-TW, ko;q=0.5", "ko-KR"},
		{"de;q=0, es", "es-ES"},
		{"de;q=0", "en-US"},
		{"*;q=0.1, ru", "ru-RU"},
		{"ru;q=0.5, *", "en-US"},
		// One bad entry does not discard the others.
		{"en-US;q=2, ja", "ja-JP"},
		{"fr_;x=1, sv", "sv-SE"},
		{"!!, da;q=0.3", "da-DK"},
		{"toolongsubtag, ko", "ko-KR"},
		{"de;q=0.1234, pt-PT;q=0.9", "pt-PT"},
		{"de;q=1.001, it", "it-IT"},
		{" , , es-ES ,", "es-ES"},
		// q=0 excludes the locales the entry names, unless a more specific entry names them.
		{"fr-FR;q=0, fr", "fr-CA"},
		{"fr;q=0, fr-CA", "fr-CA"},
		{"fr;q=0, fr-FR;q=0.5, fr-CA;q=0.1", "fr-FR"},
		{"fr;q=0, fr-CH", "en-US"},
		{"pt;q=0, pt-PT;q=0.5, pt", "pt-PT"},
		{"de;q=0, DE", "en-US"},
		{"*;q=0, de-AT", "de-DE"},
		{"en;q=0, *", "es-ES"},
		{"fr-CH;q=0, fr", "fr-FR"},
		// Quoted strings and parameters: a language range takes none but its weight.
		{`de;x="a, it", nl;q=0.5`, "nl-NL"},
	} {
		if got := egainLocales[negotiateLocale(tc.header)]; got != tc.want {
			t.Errorf("Accept-Language %q: %s, want %s", tc.header, got, tc.want)
		}
		if err := validAcceptLanguage(tc.header); err != nil {
			t.Errorf("Accept-Language %q refused: %v", tc.header, err)
		}
	}
	for _, header := range []string{"en-US;q=2", ";q=1", "fr_;x=1", "!!", "en US", "de;q=", "de;q=0.5;x=1", "*-US", "a-b_c-", "1abc"} {
		if err := validAcceptLanguage(header); err == nil {
			t.Errorf("Accept-Language %q has no well-formed entry but passes", header)
		}
	}
}
