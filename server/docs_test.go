package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/openapi"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// The contract and the reference are served without a token, from this origin only.
func TestDocsAreServed(t *testing.T) {
	h := servertest.New(t, store.SQLite)
	yaml := h.Do(servertest.Get("", "/openapi.yaml"))
	if yaml.Code != http.StatusOK || !bytes.Equal(yaml.Body.Bytes(), openapi.YAML) {
		t.Fatalf("/openapi.yaml: %d, %d bytes", yaml.Code, yaml.Body.Len())
	}
	spec := h.Do(servertest.Get("", "/openapi.json"))
	var doc struct{ Paths map[string]any }
	if spec.Code != http.StatusOK || json.Unmarshal(spec.Body.Bytes(), &doc) != nil || len(doc.Paths) == 0 {
		t.Fatalf("/openapi.json: %d %.200s", spec.Code, spec.Body)
	}
	for _, path := range []string{"/docs", "/docs/docs.js", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"} {
		rec := h.Do(servertest.Get("", path))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("%s: %d", path, rec.Code)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
	// Paths next to the docs still get the vendor's errors.
	servertest.WSError(t, h.Do(servertest.Get("", "/docs/missing.js")), http.StatusNotFound, "404-101")
}
