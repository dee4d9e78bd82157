package servertest

import (
	"fmt"
	"strings"
)

// IDRange returns n consecutive customer ids from first.
func IDRange(first, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(first + i)
	}
	return ids
}

// ManyCustomers is a fixture of n individual customers of department 10 from id first.
func ManyCustomers(first, n int) string {
	var b strings.Builder
	b.WriteString("customers:\n")
	for _, id := range IDRange(first, n) {
		fmt.Fprintf(&b, "  - {id: %q, name: Customer %s, type: individual, department: 10}\n", id, id)
	}
	return b.String()
}
