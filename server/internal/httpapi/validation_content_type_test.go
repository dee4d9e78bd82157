package httpapi

import (
	"net/http"
	"testing"
)

// The media type a handler sees is lower-cased and trimmed however its parameters are
// written, so that a body validation admits always reaches the handler.
func TestCanonicalizeContentType(t *testing.T) {
	for sent, want := range map[string]string{
		"application/json":                                "application/json",
		"Application/JSON":                                "application/json",
		"  APPLICATION/JSON ; Charset=UTF-8":              "application/json; charset=UTF-8",
		"application/json; charset":                       "application/json; charset",
		"APPLICATION/JSON; charset":                       "application/json; charset",
		" Application/Vnd.Oracle.ADF.ResourceItem+JSON;=": "application/vnd.oracle.adf.resourceitem+json;=",
		"Text/Plain; a=1; a=2":                            "text/plain; a=1; a=2",
	} {
		h := http.Header{"Content-Type": []string{sent}}
		CanonicalizeContentType(h)
		if got := h.Get("Content-Type"); got != want {
			t.Errorf("%q: %q, want %q", sent, got, want)
		}
	}
	h := http.Header{}
	CanonicalizeContentType(h)
	if _, set := h["Content-Type"]; set {
		t.Errorf("a request without Content-Type got one: %v", h)
	}
}
