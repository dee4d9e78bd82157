package httpapi

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Request bodies are read as UTF-8, JSON (RFC 8259 §8.1) and XML alike: a Content-Type that
// names another charset is refused as an unsupported media type, not misread, and a leading
// UTF-8 byte order mark (which .NET clients write) is skipped. The checks run where
// kin-openapi decodes the body, so they come after authentication and the parameters, like
// its own refusal of a media type the operation does not take.

// maxContentTypeLength bounds the Content-Type of a body; a longer one is refused.
const maxContentTypeLength = 256

// unsupportedCharsetError is a body whose Content-Type is too long, unreadable, or names a
// charset other than UTF-8.
type unsupportedCharsetError struct {
	reason string
}

func (e *unsupportedCharsetError) Error() string { return "unsupported Content-Type: " + e.reason }

// checkBodyCharset accepts a Content-Type of at most maxContentTypeLength bytes whose charset,
// if it names one, is UTF-8 (in any case).
func checkBodyCharset(h http.Header) error {
	value := h.Get("Content-Type")
	if len(value) > maxContentTypeLength {
		return &unsupportedCharsetError{reason: "longer than 256 bytes"}
	}
	_, params, err := mime.ParseMediaType(value)
	if err != nil {
		return &unsupportedCharsetError{reason: err.Error()}
	}
	if charset, named := params["charset"]; named && !strings.EqualFold(charset, "utf-8") {
		return &unsupportedCharsetError{reason: "charset " + charset + " is not UTF-8"}
	}
	return nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// WithoutBOM reads r past a leading UTF-8 byte order mark.
func WithoutBOM(r io.Reader) io.Reader {
	buffered := bufio.NewReader(r)
	if start, _ := buffered.Peek(len(utf8BOM)); bytes.Equal(start, utf8BOM) {
		_, _ = buffered.Discard(len(utf8BOM))
	}
	return buffered
}

// utf8Body wraps a kin-openapi body decoder with the charset check.
func utf8Body(decode openapi3filter.BodyDecoder) openapi3filter.BodyDecoder {
	return func(body io.Reader, h http.Header, schema *openapi3.SchemaRef, encoding openapi3filter.EncodingFn) (any, error) {
		if err := checkBodyCharset(h); err != nil {
			return nil, err
		}
		return decode(body, h, schema, encoding)
	}
}
