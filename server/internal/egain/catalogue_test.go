package egain

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/openapi/openapitest"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestEgainCatalogue checks the table itself: an entry for every name, unique codes of the
// form {status}-{number}, messages in the English file, plural counts among the arguments.
func TestEgainCatalogue(t *testing.T) {
	english := messageTexts(t, "en-US")
	seen := map[string]bool{}
	for id, entry := range egainCatalogue {
		if entry.code == "" || entry.status == 0 || entry.message == "" {
			t.Errorf("error %d has no catalogue entry", id)
			continue
		}
		if seen[entry.code] {
			t.Errorf("code %s appears twice", entry.code)
		}
		seen[entry.code] = true
		if !strings.HasPrefix(entry.code, strconv.Itoa(entry.status)+"-") {
			t.Errorf("code %s has status %d", entry.code, entry.status)
		}
		for _, kind := range []string{".developer", ".user"} {
			if _, ok := english[entry.message+kind]; !ok {
				t.Errorf("code %s: no message %s%s in en-US", entry.code, entry.message, kind)
			}
		}
		if entry.count != "" && !slices.Contains(entry.args, entry.count) {
			t.Errorf("code %s: plural count %s is not an argument", entry.code, entry.count)
		}
		// Both messages get the count, so both need the plural forms.
		for _, kind := range []string{".developer", ".user"} {
			if m := english[entry.message+kind]; m != nil && (entry.count != "") != (m.One != "") {
				t.Errorf("code %s: message %s%s has plural forms %v, count %q", entry.code, entry.message, kind, m.One != "", entry.count)
			}
		}
	}
}

// TestEgainCatalogueViolations: in production an error made with the wrong number of
// arguments is written as 500-100, and a details key the entry does not list is dropped;
// each is reported (the tests make a report panic).
func TestEgainCatalogueViolations(t *testing.T) {
	var reports []string
	saved := egainCatalogueViolation
	egainCatalogueViolation = func(problem string) { reports = append(reports, problem) }
	t.Cleanup(func() { egainCatalogueViolation = saved })

	if got := newEgainError(errGrantNotFound, "1002").ErrorCode(); got != "500-100" || len(reports) != 1 {
		t.Errorf("too few arguments: code %s, reports %v", got, reports)
	}
	if got := newEgainError(errBodyRequired, "x").ErrorCode(); got != "500-100" || len(reports) != 2 {
		t.Errorf("too many arguments: code %s, reports %v", got, reports)
	}
	if got := newEgainError(egainErrorCount).ErrorCode(); got != "500-100" || len(reports) != 3 {
		t.Errorf("no such entry: code %s, reports %v", got, reports)
	}
	if got := newEgainError(errCustomersNotFound, "1000, 1002").ErrorCode(); got != "500-100" || len(reports) != 4 {
		t.Errorf("a count that is no list: code %s, reports %v", got, reports)
	}
	e := newEgainError(errActionRequired, actionEditCustomer).with("action", actionEditCustomer).with("customerId", "1000")
	if body := e.body(egainPreferences{}); body.Details == nil || len(*body.Details) != 1 || len(reports) != 5 {
		t.Errorf("unknown details key: details %v, reports %v", body.Details, reports)
	}
}

// TestEgainCodesDocumented: the spec has an example for every code of the catalogue, under
// a response of its status, and no example of another code; the README's table lists
// exactly the catalogue's codes.
func TestEgainCodesDocumented(t *testing.T) {
	spec := openapitest.Contract(t)
	documented := map[string]bool{}
	for name, response := range spec.Components.Responses {
		for mediaType, content := range response.Value.Content {
			for exampleName, example := range content.Examples {
				var code string
				switch v := example.Value.Value.(type) {
				case map[string]any:
					code, _ = v["code"].(string)
				case string:
					if m := regexp.MustCompile(`<code>([^<]+)</code>`).FindStringSubmatch(v); m != nil {
						code = m[1]
					}
				}
				i := slices.IndexFunc(egainCatalogue[:], func(c egainCode) bool { return c.code == code })
				if i < 0 {
					t.Errorf("response %s %s example %s: code %q is not in the catalogue", name, mediaType, exampleName, code)
					continue
				}
				documented[code] = true
				if status := strconv.Itoa(egainCatalogue[i].status); !responseUsedWithStatus(spec.Paths.Map(), name, status) && name != "NoSuchResource" && name != "MethodNotAllowed" {
					t.Errorf("response %s documents code %s, but no operation returns it with status %s", name, code, status)
				}
			}
		}
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile(`(?m)^\| ([1-5][0-9]{2}-[0-9]{3}) \|`).FindAllStringSubmatch(string(readme), -1)
	inReadme := map[string]bool{}
	for _, m := range listed {
		inReadme[m[1]] = true
	}
	for _, entry := range egainCatalogue {
		if !documented[entry.code] {
			t.Errorf("code %s has no example in the spec", entry.code)
		}
		if !inReadme[entry.code] {
			t.Errorf("code %s is not in the README's table", entry.code)
		}
		delete(inReadme, entry.code)
	}
	for code := range inReadme {
		t.Errorf("the README lists code %s, which the catalogue does not have", code)
	}
}

// responseUsedWithStatus tells whether an operation returns the component response under
// that status.
func responseUsedWithStatus(paths map[string]*openapi3.PathItem, name, status string) bool {
	for _, item := range paths {
		for _, op := range item.Operations() {
			if ref := op.Responses.Value(status); ref != nil && ref.Ref == "#/components/responses/"+name {
				return true
			}
		}
	}
	return false
}
