package egain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/custaccess/custaccess/openapi/openapitest"
	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// errorLimitCounts are the plural counts each entry is rendered with: every CLDR form of the
// 15 locales (one, few, many, other) and lists long enough to pass every limit.
var errorLimitCounts = []int{1, 2, 5, 21, 22, 100}

// TestErrorLimits renders every entry of the catalogue in every locale, with each count,
// the longest value a request can make it echo in every text argument and detail, and the
// longest reason of the locale, then checks the body, as JSON and as XML, against the
// spec's WSError: eGain's published limits (userMessage ≤ 1024, a detail's value ≤ 255),
// developerMessage ≤ 2048, at most 30 details.
func TestErrorLimits(t *testing.T) {
	spec := openapitest.Contract(t)
	schema := spec.Components.Schemas["WSError"].Value
	// The longest value an error echoes: Echoed's cut, of characters JSON and XML escape.
	echoed := untrusted.Echoed(strings.Repeat(`<"&'字`, 200))
	if n := utf8.RuneCountInString(echoed); n != untrusted.MaxEchoLength+1 {
		t.Fatalf("echoed value of %d characters", n)
	}
	var reasons []string
	for id := range messageTexts(t, "en-US") {
		if strings.HasPrefix(id, "reason.") {
			reasons = append(reasons, id)
		}
	}
	if len(reasons) < 20 {
		t.Fatalf("only %d reasons", len(reasons))
	}
	rendered := 0
	for id := range egainErrorID(egainErrorCount) {
		entry := egainCatalogue[id]
		for locale := range egainLocales {
			for _, n := range errorLimitCounts {
				ids := make([]string, n)
				for i := range ids {
					ids[i] = fmt.Sprintf("%018d", 100000000000000000+i)
				}
				args := make([]any, len(entry.args))
				for i, name := range entry.args {
					switch {
					case name == "Reason":
						args[i] = longestReason(locale, reasons, echoed, n)
					case strings.HasSuffix(name, "IDs"):
						args[i] = ids
					case name == entry.count:
						args[i] = n
					default:
						args[i] = echoed
					}
				}
				e := newEgainError(id, args...)
				for _, key := range entry.details {
					e.withEach(key, ids)
					e.with(key, echoed)
				}
				body := e.body(egainPreferences{locale: locale, userMessage: true})
				name := fmt.Sprintf("%s %s count %d", entry.code, egainLocales[locale], n)
				if body.Code != entry.code {
					t.Fatalf("%s: rendered as %s", name, body.Code)
				}
				checkAgainstSpec(t, name+" JSON", schema, jsonValue(t, body))
				document, err := marshalXML(body, "WSError")
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				value, err := decodeXML(bytes.NewReader(document), schema)
				if err != nil {
					t.Fatalf("%s: the XML does not read back: %v\n%s", name, err, document)
				}
				checkAgainstSpec(t, name+" XML", schema, value)
				rendered++
			}
		}
	}
	if want := int(egainErrorCount) * len(egainLocales) * len(errorLimitCounts); rendered != want {
		t.Fatalf("%d bodies rendered, want %d", rendered, want)
	}
}

// longestReason is the longest of the locale's reasons with every placeholder the longest
// echoed value and the count n.
func longestReason(locale int, reasons []string, echoed string, n int) egainReason {
	data := map[string]any{"Count": n, "Limit": n, "Line": 1 << 31}
	for _, name := range []string{"Type", "Pattern", "Values", "Rule", "Element", "Namespace", "Scopes", "Kind"} {
		data[name] = echoed
	}
	var longest egainReason
	longestLength := -1
	for _, id := range reasons {
		if l := utf8.RuneCountInString(localize(locale, id, data, n)); l > longestLength {
			longest, longestLength = egainReason{message: id, data: data, count: n}, l
		}
	}
	return longest
}

func jsonValue(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		t.Fatal(err)
	}
	return value
}

func checkAgainstSpec(t *testing.T, name string, schema *openapi3.Schema, value any) {
	t.Helper()
	if err := schema.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		t.Errorf("%s does not follow the spec's WSError: %.600v", name, err)
	}
}
