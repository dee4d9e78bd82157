package server

import (
	"errors"
	"slices"
	"strconv"
	"strings"

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

// languageRange is one well-formed entry of an Accept-Language header.
type languageRange struct {
	tag      language.Tag
	wildcard bool
	quality  float64
}

// parseAcceptLanguage reads each entry of an Accept-Language header on its own, so that a
// malformed entry is skipped without discarding the others (RFC 9110 §12.5.4). wellFormed is
// false only when the header has entries and none of them is well-formed.
func parseAcceptLanguage(header string) (ranges []languageRange, wellFormed bool) {
	entries := 0
	for _, entry := range strings.Split(header, ",") {
		if strings.TrimSpace(entry) == "" {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		entries++
		if r, ok := parseLanguageRange(entry); ok {
			ranges = append(ranges, r)
		}
	}
	return ranges, entries == 0 || len(ranges) > 0
}

// parseLanguageRange reads `language-range [ ";" "q=" qvalue ]`.
func parseLanguageRange(entry string) (languageRange, bool) {
	rangeText, weight, weighted := strings.Cut(entry, ";")
	rangeText = strings.TrimSpace(rangeText)
	r := languageRange{quality: 1}
	if weighted {
		name, value, _ := strings.Cut(strings.TrimSpace(weight), "=")
		q, ok := parseQValue(value)
		if !strings.EqualFold(strings.TrimSpace(name), "q") || !ok {
			return r, false
		}
		r.quality = q
	}
	if rangeText == "*" {
		r.wildcard = true
		return r, true
	}
	// Java's Locale.toString writes en_US; read it as en-US.
	rangeText = strings.ReplaceAll(rangeText, "_", "-")
	if !isLanguageRange(rangeText) {
		return r, false
	}
	tag, err := language.Parse(rangeText)
	// A well-formed range with unknown subtags is kept; it just matches less.
	var unknown language.ValueError
	if err != nil && !errors.As(err, &unknown) {
		tag = language.Und
	}
	r.tag = tag
	return r, true
}

// isLanguageRange: 1*8ALPHA *("-" 1*8alphanum) (RFC 4647 §2.1).
func isLanguageRange(s string) bool {
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

// parseQValue: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ] (RFC 9110 §12.4.2).
func parseQValue(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	whole, fraction, _ := strings.Cut(s, ".")
	if (whole != "0" && whole != "1") || len(fraction) > 3 || strings.Trim(fraction, "0123456789") != "" {
		return 0, false
	}
	if whole == "1" && strings.Trim(fraction, "0") != "" {
		return 0, false
	}
	q, err := strconv.ParseFloat(s, 64)
	return q, err == nil
}

// negotiateLocale picks the index in egainLocales of the locale for an Accept-Language
// header: entries by descending q-value (header order on a tie), q=0 ignored, `*` standing
// for the default; the first one the matcher rates at least a High-confidence match wins,
// else the default. The matcher's index is used, not its returned tag, which may carry
// extensions of the request's tag.
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
	for _, r := range ranges {
		if r.quality == 0 {
			continue
		}
		if r.wildcard {
			return defaultLocale
		}
		if _, index, confidence := egainLocaleMatcher.Match(r.tag); confidence >= language.High {
			return index
		}
	}
	return defaultLocale
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
