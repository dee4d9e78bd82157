package egain

import (
	"strings"
)

// Request bodies that the tests of this package and the whole-stack tests of egain_test
// (through export_test.go) both build.

const egainNamespace = "http://bindings.egain.com/ws/model/v12/gen/interaction/customer"

// xmlGrantBody is servertest.GrantBody in eGain's XML binding.
func xmlGrantBody(on string, to ...string) string {
	var b strings.Builder
	b.WriteString(`<grants xmlns="` + egainNamespace + `"><grantsOn><customer id="` + on + `"/></grantsOn><grantsTo>`)
	for _, id := range to {
		b.WriteString(`<customer id="` + id + `"/>`)
	}
	b.WriteString(`</grantsTo></grants>`)
	return b.String()
}

// xmlGrants wraps members of a grants document in its root element.
func xmlGrants(members string) string {
	return `<grants xmlns="` + egainNamespace + `">` + members + `</grants>`
}
