package server

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParseWeightedList(t *testing.T) {
	for _, tc := range []struct {
		header   string
		elements []weightedElement
		read     int
	}{
		{"", nil, 0},
		{" , ,", nil, 0},
		{"a, b;q=0.5", []weightedElement{{value: "a", quality: 1}, {value: "b", quality: 0.5}}, 2},
		{"a;Q=0", []weightedElement{{value: "a", quality: 0}}, 1},
		{"a ; q=1.000 ", []weightedElement{{value: "a", quality: 1}}, 1},
		{"a;charset=utf-8;q=0.3", []weightedElement{{value: "a", params: []string{"charset=utf-8"}, quality: 0.3}}, 1},
		// Invalid weights make the element malformed, whatever the header.
		{"a;q=2, b", []weightedElement{{value: "b", quality: 1}}, 2},
		{"a;q=0.1234, b;q=-1, c;q=1.001, d;q=, e;q=1e-1, f;q=0.5;q=0.5", nil, 6},
		// Commas and semicolons inside quoted strings separate nothing.
		{`a;p="x, b;q=1, y", c;q=0.5`, []weightedElement{{value: "a", params: []string{`p="x, b;q=1, y"`}, quality: 1}, {value: "c", quality: 0.5}}, 2},
		{`a;p="x\", b", c`, []weightedElement{{value: "a", params: []string{`p="x\", b"`}, quality: 1}, {value: "c", quality: 1}}, 2},
		{`a;p="unterminated, b`, []weightedElement{{value: "a", params: []string{`p="unterminated, b`}, quality: 1}}, 1},
	} {
		got := parseWeightedList(tc.header)
		if !reflect.DeepEqual(got.elements, tc.elements) || got.read != tc.read || got.tooLong {
			t.Errorf("%q: %+v, want %+v read %d", tc.header, got, tc.elements, tc.read)
		}
	}

	// Bounded work: a header over the limit is not parsed; at most 32 elements are read.
	if got := parseWeightedList(strings.Repeat("a,", maxWeightedListBytes)); !got.tooLong || got.read != 0 || got.elements != nil {
		t.Errorf("header over %d bytes: %+v", maxWeightedListBytes, got)
	}
	if got := parseWeightedList(strings.Repeat("a,", 100)); got.read != maxWeightedListElements || len(got.elements) != maxWeightedListElements {
		t.Errorf("100 elements: read %d, kept %d", got.read, len(got.elements))
	}
}

func TestHeaderList(t *testing.T) {
	h := http.Header{}
	h.Add("Accept-Language", "de;q=0.5")
	h.Add("Accept-Language", "it")
	if got, ok := headerList(h, "Accept-Language"); !ok || got != "de;q=0.5, it" {
		t.Errorf("repeated lines: %q, %v", got, ok)
	}
	h.Add("Accept-Language", strings.Repeat("x", maxWeightedListBytes))
	if got, ok := headerList(h, "Accept-Language"); ok || got != "" {
		t.Errorf("lines over %d bytes together: %q, %v", maxWeightedListBytes, got, ok)
	}
	if got, ok := headerList(h, "Accept"); !ok || got != "" {
		t.Errorf("no such header: %q, %v", got, ok)
	}
}
