package httpapi

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParseWeightedList(t *testing.T) {
	for _, tc := range []struct {
		header   string
		elements []WeightedElement
		read     int
	}{
		{"", nil, 0},
		{" , ,", nil, 0},
		{"a, b;q=0.5", []WeightedElement{{Value: "a", Quality: 1}, {Value: "b", Quality: 0.5}}, 2},
		{"a;Q=0", []WeightedElement{{Value: "a", Quality: 0}}, 1},
		{"a ; q=1.000 ", []WeightedElement{{Value: "a", Quality: 1}}, 1},
		{"a;charset=utf-8;q=0.3", []WeightedElement{{Value: "a", Params: []string{"charset=utf-8"}, Quality: 0.3}}, 1},
		// Invalid weights make the element malformed, whatever the header.
		{"a;q=2, b", []WeightedElement{{Value: "b", Quality: 1}}, 2},
		{"a;q=0.1234, b;q=-1, c;q=1.001, d;q=, e;q=1e-1, f;q=0.5;q=0.5", nil, 6},
		// Commas and semicolons inside quoted strings separate nothing.
		{`a;p="x, b;q=1, y", c;q=0.5`, []WeightedElement{{Value: "a", Params: []string{`p="x, b;q=1, y"`}, Quality: 1}, {Value: "c", Quality: 0.5}}, 2},
		{`a;p="x\", b", c`, []WeightedElement{{Value: "a", Params: []string{`p="x\", b"`}, Quality: 1}, {Value: "c", Quality: 1}}, 2},
		{`a;p="unterminated, b`, []WeightedElement{{Value: "a", Params: []string{`p="unterminated, b`}, Quality: 1}}, 1},
	} {
		got := ParseWeightedList(tc.header)
		if !reflect.DeepEqual(got.Elements, tc.elements) || got.Read != tc.read || got.TooLong {
			t.Errorf("%q: %+v, want %+v read %d", tc.header, got, tc.elements, tc.read)
		}
	}

	// Bounded work: a header over the limit is not parsed; at most 32 elements are read.
	if got := ParseWeightedList(strings.Repeat("a,", MaxWeightedListBytes)); !got.TooLong || got.Read != 0 || got.Elements != nil {
		t.Errorf("header over %d bytes: %+v", MaxWeightedListBytes, got)
	}
	if got := ParseWeightedList(strings.Repeat("a,", 100)); got.Read != maxWeightedListElements || len(got.Elements) != maxWeightedListElements {
		t.Errorf("100 elements: read %d, kept %d", got.Read, len(got.Elements))
	}
}

func TestHeaderList(t *testing.T) {
	h := http.Header{}
	h.Add("Accept-Language", "de;q=0.5")
	h.Add("Accept-Language", "it")
	if got, ok := HeaderList(h, "Accept-Language"); !ok || got != "de;q=0.5, it" {
		t.Errorf("repeated lines: %q, %v", got, ok)
	}
	h.Add("Accept-Language", strings.Repeat("x", MaxWeightedListBytes))
	if got, ok := HeaderList(h, "Accept-Language"); ok || got != "" {
		t.Errorf("lines over %d bytes together: %q, %v", MaxWeightedListBytes, got, ok)
	}
	if got, ok := HeaderList(h, "Accept"); !ok || got != "" {
		t.Errorf("no such header: %q, %v", got, ok)
	}
}
