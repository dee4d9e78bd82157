package egain

import (
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// The messages of eGain errors, one file per locale named after it (fr-CA.yaml). Each
// error has a developer and a user message under its catalogue key; reasons that go into
// messages are under reason.*. A translation that is the same as the English text on
// purpose says so in its description, starting with sameAsEnglish.
//
//go:embed messages/*.yaml
var egainMessageFiles embed.FS

const (
	egainMessageDir = "messages"
	sameAsEnglish   = "Same as English:"
)

// strictTemplates fails on a placeholder without a value instead of writing "<no value>".
var strictTemplates = &template.TextParser{Option: "missingkey=error"}

// egainLocalizers holds one localizer per entry of egainLocales.
var egainLocalizers = mustLoadEgainMessages()

func mustLoadEgainMessages() []*i18n.Localizer {
	bundle := i18n.NewBundle(language.MustParse(egainLocales[defaultLocale]))
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(egainMessageFiles, path.Join(egainMessageDir, "*.yaml"))
	if err != nil {
		panic(err)
	}
	for _, file := range files {
		if _, err := bundle.LoadMessageFileFS(egainMessageFiles, file); err != nil {
			panic(fmt.Sprintf("eGain messages %s: %v", file, err))
		}
	}
	localizers := make([]*i18n.Localizer, len(egainLocales))
	for i, locale := range egainLocales {
		localizers[i] = i18n.NewLocalizer(bundle, locale)
	}
	return localizers
}

// localize renders a message in a locale; count, when not nil, picks the plural form. A
// message the files lack (the tests see to it that none does) falls back to English, then
// to its id.
func localize(locale int, id string, data map[string]any, count any) string {
	config := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count, TemplateParser: strictTemplates}
	msg, err := egainLocalizers[locale].Localize(config)
	if err != nil && locale != defaultLocale {
		msg, err = egainLocalizers[defaultLocale].Localize(config)
	}
	if err != nil || msg == "" {
		return id
	}
	return msg
}
