package egain

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gopkg.in/yaml.v3"
)

// TestEgainMessagesInEveryLocale: every message of en-US exists in every locale, with the
// same placeholders in every form, a real translation unless marked as the same as English
// on purpose, and the plural forms the locale's language needs for the counts messages get.
func TestEgainMessagesInEveryLocale(t *testing.T) {
	english := messageTexts(t, egainLocales[defaultLocale])
	for i, locale := range egainLocales {
		messages := messageTexts(t, locale)
		for id, source := range english {
			m, ok := messages[id]
			if !ok {
				t.Errorf("%s: message %s is missing", locale, id)
				continue
			}
			want := placeholders(forms(source)...)
			for form, text := range formTexts(m) {
				if got := placeholders(text); !slices.Equal(got, want) {
					t.Errorf("%s %s (%s): placeholders %v, want %v", locale, id, form, got, want)
				}
				if locale == egainLocales[defaultLocale] {
					continue
				}
				same := text == formTexts(source)[form]
				marked := strings.HasPrefix(m.Description, sameAsEnglish)
				if same && !marked {
					t.Errorf("%s %s (%s): the same as English; translate it, or mark it %q in its description", locale, id, form, sameAsEnglish)
				}
			}
			if strings.HasPrefix(m.Description, sameAsEnglish) && !slices.Equal(forms(m), forms(source)) {
				t.Errorf("%s %s: marked %q but differs from English", locale, id, sameAsEnglish)
			}
			checkRenders(t, i, id, want, source.One != "")
		}
		for id := range messages {
			if _, ok := english[id]; !ok {
				t.Errorf("%s: message %s is not in en-US", locale, id)
			}
		}
	}
	// Reasons built from names in the code.
	for _, problem := range []xmlProblem{xmlSyntax, xmlDoctype, xmlRoot, xmlNamespace, xmlDepth, xmlTokens, xmlUnexpected} {
		if _, ok := english["reason.xml."+string(problem)]; !ok {
			t.Errorf("no message reason.xml.%s", problem)
		}
	}
}

// checkRenders renders a message in a locale with every placeholder given, for plural
// messages with every count from 0 to 200, the limits in use, millions and fractions: no
// form may be missing.
func checkRenders(t *testing.T, locale int, id string, names []string, plural bool) {
	t.Helper()
	data := map[string]any{}
	for _, name := range names {
		data[name] = "x"
	}
	counts := []any{nil}
	if plural {
		counts = nil
		for n := range 201 {
			counts = append(counts, n)
		}
		// A million takes `many` in French, Spanish, Italian and Portuguese; a fraction
		// takes `other` in Russian (and `one` in French).
		counts = append(counts, maxXMLTokens, 1000, 2048, 1_000_000, 2_000_000, "1.5", "0.5", "21.0")
	}
	for _, count := range counts {
		config := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count, TemplateParser: strictTemplates}
		if _, err := egainLocalizers[locale].Localize(config); err != nil {
			t.Errorf("%s %s with count %v: %v", egainLocales[locale], id, count, err)
			return
		}
	}
}

var placeholderPattern = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// placeholders lists, sorted and once each, the {{.Name}} placeholders of texts.
func placeholders(texts ...string) []string {
	var names []string
	for _, text := range texts {
		for _, m := range placeholderPattern.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	slices.Sort(names)
	return names
}

// formTexts maps a message's non-empty plural forms to their texts.
func formTexts(m *i18n.Message) map[string]string {
	texts := map[string]string{}
	for form, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if text != "" {
			texts[form] = text
		}
	}
	return texts
}

func forms(m *i18n.Message) []string {
	return []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other}
}

// messageTexts parses a locale's message file: message id → message.
func messageTexts(t *testing.T, locale string) map[string]*i18n.Message {
	t.Helper()
	file := egainMessageDir + "/" + locale + ".yaml"
	data, err := egainMessageFiles.ReadFile(file)
	if err != nil {
		t.Fatalf("%s: %v", locale, err)
	}
	parsed, err := i18n.ParseMessageFileBytes(data, file, map[string]i18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	messages := map[string]*i18n.Message{}
	for _, m := range parsed.Messages {
		messages[m.ID] = m
	}
	return messages
}
