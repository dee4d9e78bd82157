package server

import (
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// The XML binding is registered with kin-openapi as the decoder of application/xml bodies,
// so that XML requests are validated by the same schemas as JSON ones; like JSON bodies they
// must be UTF-8 (body_media_type.go).

func init() {
	openapi3filter.RegisterBodyDecoder("application/xml", utf8Body(func(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		return decodeXML(body, schema.Value)
	}))
}
