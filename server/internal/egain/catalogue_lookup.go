package egain

import (
	"encoding/json"
	"io"
	"slices"
)

// What the catalogue promises, for the whole-stack tests of every package that check each
// eGain response against it.

// Locales are the locales of eGain's messages; every response names one in Content-Language.
func Locales() []string { return slices.Clone(egainLocales) }

// CatalogueEntry is the status and the details keys the catalogue gives an error code; ok
// is false for a code not in the catalogue.
func CatalogueEntry(code string) (status int, detailKeys []string, ok bool) {
	i := slices.IndexFunc(egainCatalogue[:], func(c egainCode) bool { return c.code == code })
	if i < 0 {
		return 0, nil, false
	}
	return egainCatalogue[i].status, slices.Clone(egainCatalogue[i].details), true
}

// CatalogueCodes lists every code of the catalogue.
func CatalogueCodes() []string {
	codes := make([]string, len(egainCatalogue))
	for i, c := range egainCatalogue {
		codes[i] = c.code
	}
	return codes
}

// MaxErrorDetails bounds the details of one error.
const MaxErrorDetails = maxErrorDetails

// DecodeXMLDocument reads a document in the XML binding of the named schema into v, a
// generated type, as a client of the binding would: the tests read responses with it.
func DecodeXMLDocument(r io.Reader, schemaName string, v any) error {
	schema, err := bindingSchema(schemaName)
	if err != nil {
		return err
	}
	value, err := decodeXML(r, schema)
	if err != nil {
		return err
	}
	data, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
