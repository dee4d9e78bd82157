package server

import (
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gopkg.in/yaml.v3"
)

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
