package httpapi

import (
	"strings"
	"testing"
)

func TestAcceptsAny(t *testing.T) {
	adf := []string{"application/vnd.oracle.adf.resourceitem+json", "application/vnd.oracle.adf.error+json"}
	for _, tc := range []struct {
		header   string
		produced []string
		want     bool
	}{
		{"", []string{"application/json"}, true},
		{"application/json", []string{"application/json"}, true},
		{"text/html", []string{"application/json"}, false},
		{"application/*;q=0.5", []string{"application/json"}, true},
		{"application/json;q=0", []string{"application/json"}, false},
		{"application/json", adf, true},
		{"application/vnd.oracle.adf.resourceitem+json", adf, true},
		{"application/xml", adf, false},
		{"application/json", []string{"text/plain"}, false},
		{"text/html", nil, true},
		// One weighted-list parser: a malformed weight drops its element, quoted strings
		// hold commas, a header too long to read admits nothing.
		{"application/json;q=2", []string{"application/json"}, false},
		{"application/json;q=0.5000, text/html", []string{"application/json"}, false},
		{`text/html;p="a, application/json"`, []string{"application/json"}, false},
		{"application/json;x=" + strings.Repeat("y", 1024), []string{"application/json"}, false},
	} {
		if got := acceptsAny(tc.header, tc.produced); got != tc.want {
			t.Errorf("acceptsAny(%q, %v) = %v, want %v", tc.header, tc.produced, got, tc.want)
		}
	}
}
