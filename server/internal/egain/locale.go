package egain

import (
	"errors"
	"slices"
	"strings"

	"github.com/custaccess/custaccess/server/internal/httpapi"
	"golang.org/x/text/language"
)

// egainLocales are the locales eGain serves messages in; the first is the default.
var egainLocales = []string{
	"en-US", "es-ES", "fr-FR", "it-IT", "de-DE", "nl-NL", "pt-BR", "pt-PT",
	"da-DK", "ru-RU", "fr-CA", "zh-CN", "ja-JP", "ko-KR", "sv-SE",
}

const defaultLocale = 0

var egainLocaleMatcher = language.NewMatcher(func() []language.Tag {
	tags := make([]language.Tag, len(egainLocales))
	for i, locale := range egainLocales {
		tags[i] = language.MustParse(locale)
	}
	return tags
}())

// maxLanguageSubtags bounds the subtags of a language range: language.Parse takes time
// quadratic in the number of variants, and no locale needs more than a few.
const maxLanguageSubtags = 16

// parseLanguageTag is language.Parse; the tests count its calls.
var parseLanguageTag = language.Parse

// languageRange is one well-formed entry of an Accept-Language header.
type languageRange struct {
	// text is the range as sent, with `_` read as `-` (Java's Locale.toString writes en_US).
	text     string
	tag      language.Tag
	wildcard bool
	quality  float64
}

// parseAcceptLanguage reads each entry of an Accept-Language header on its own, so that a
// malformed entry is skipped without discarding the others (RFC 9110 §12.5.4). wellFormed is
// false only when the header has entries and none of them is well-formed. A header over
// maxWeightedListBytes is not read: it has no acceptable language, and is not refused.
func parseAcceptLanguage(header string) (ranges []languageRange, wellFormed bool) {
	list := httpapi.ParseWeightedList(header)
	if list.TooLong {
		return nil, true
	}
	for _, element := range list.Elements {
		if r, ok := parseLanguageRange(element); ok {
			ranges = append(ranges, r)
		}
	}
	return ranges, list.Read == 0 || len(ranges) > 0
}

// parseLanguageRange reads a `language-range`, which takes no parameter but its weight.
func parseLanguageRange(e httpapi.WeightedElement) (languageRange, bool) {
	r := languageRange{text: strings.ReplaceAll(e.Value, "_", "-"), quality: e.Quality}
	if len(e.Params) > 0 {
		return r, false
	}
	if r.text == "*" {
		r.wildcard = true
		return r, true
	}
	if !isLanguageRange(r.text) {
		return r, false
	}
	tag, err := parseLanguageTag(r.text)
	// A well-formed range with unknown subtags is kept; it just matches less.
	var unknown language.ValueError
	if err != nil && !errors.As(err, &unknown) {
		tag = language.Und
	}
	r.tag = tag
	return r, true
}

// isLanguageRange: 1*8ALPHA *("-" 1*8alphanum) (RFC 4647 §2.1), with at most
// maxLanguageSubtags subtags.
func isLanguageRange(s string) bool {
	if strings.Count(s, "-") >= maxLanguageSubtags {
		return false
	}
	for i, subtag := range strings.Split(s, "-") {
		if len(subtag) == 0 || len(subtag) > 8 {
			return false
		}
		for _, c := range subtag {
			alpha := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			if !alpha && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

// negotiateLocale picks the index in egainLocales of the locale for an Accept-Language
// header: entries by descending q-value (header order on a tie), `*` standing for the
// default; the first one the matcher rates at least a High-confidence match wins, else the
// default. A locale that an entry with q=0 names (by RFC 4647 basic filtering: `fr` names
// fr-FR and fr-CA) is excluded, unless a more specific entry with a q-value names it too. The
// matcher's index is used, not its returned tag, which may carry extensions of the
// request's tag.
func negotiateLocale(header string) int {
	ranges, _ := parseAcceptLanguage(header)
	slices.SortStableFunc(ranges, func(a, b languageRange) int {
		switch {
		case a.quality > b.quality:
			return -1
		case a.quality < b.quality:
			return 1
		}
		return 0
	})
	excluded := excludedLocales(ranges)
	match := func(tag language.Tag) (int, bool) {
		_, index, confidence := egainLocaleMatcher.Match(tag)
		return index, confidence >= language.High
	}
	if len(excluded) > 0 {
		match = matchExcept(excluded)
	}
	for _, r := range ranges {
		switch {
		case r.quality == 0:
			continue
		case r.wildcard:
			for i := range egainLocales {
				if !excluded[i] {
					return i
				}
			}
		default:
			if index, ok := match(r.tag); ok {
				return index
			}
		}
	}
	return defaultLocale
}

// excludedLocales are the locales whose most specific naming entry has q=0. `*;q=0` excludes
// none by itself: only locales that an entry names are ever chosen.
func excludedLocales(ranges []languageRange) map[int]bool {
	var excluded map[int]bool
	for i, locale := range egainLocales {
		specificity, quality := -1, 1.0
		for _, r := range ranges {
			if r.wildcard || !namesLocale(r.text, locale) {
				continue
			}
			if len(r.text) > specificity || (len(r.text) == specificity && r.quality == 0) {
				specificity, quality = len(r.text), r.quality
			}
		}
		if specificity >= 0 && quality == 0 {
			if excluded == nil {
				excluded = map[int]bool{}
			}
			excluded[i] = true
		}
	}
	return excluded
}

// namesLocale: RFC 4647 basic filtering, the range equal to the locale or a prefix of it
// ending at a subtag, ignoring case.
func namesLocale(rangeText, locale string) bool {
	if len(rangeText) > len(locale) || !strings.EqualFold(locale[:len(rangeText)], rangeText) {
		return false
	}
	return len(rangeText) == len(locale) || locale[len(rangeText)] == '-'
}

// matchExcept matches among the locales not excluded, with a matcher built for them.
func matchExcept(excluded map[int]bool) func(language.Tag) (int, bool) {
	var indexes []int
	var tags []language.Tag
	for i, locale := range egainLocales {
		if !excluded[i] {
			indexes = append(indexes, i)
			tags = append(tags, language.MustParse(locale))
		}
	}
	if len(tags) == 0 {
		return func(language.Tag) (int, bool) { return 0, false }
	}
	matcher := language.NewMatcher(tags)
	return func(tag language.Tag) (int, bool) {
		_, index, confidence := matcher.Match(tag)
		return indexes[index], confidence >= language.High
	}
}

// errNoWellFormedLanguage: an Accept-Language value without a single well-formed entry.
var errNoWellFormedLanguage = errors.New("no entry is a well-formed language range with an optional q-value")

// validAcceptLanguage checks the spec's `accept-language` string format: a header is
// refused only when no entry is well-formed.
func validAcceptLanguage(value string) error {
	if _, wellFormed := parseAcceptLanguage(value); !wellFormed {
		return errNoWellFormedLanguage
	}
	return nil
}
