package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// WriteJSON writes body, encoded as JSON, as the response with status and contentType. The
// body is encoded first, so that a failure to encode leaves the response unwritten.
// escapeHTML is encoding/json's default; a family whose messages quote the caller's
// operators (ADF's "RoleId>5") turns it off.
func WriteJSON(w http.ResponseWriter, status int, contentType string, body any, escapeHTML bool) error {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(escapeHTML)
	if err := encoder.Encode(body); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}
