package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// The text rule (untrusted.TextFault) at the edge, for every API: the path, the query
// (names and values, and the query string itself), the headers the service reads
// (Authorization and the operation's header parameters) and the body (its raw bytes and
// every decoded string and member name, JSON, XML or form) are checked before a handler,
// and so before any store call. A refusal is the family's 400 (InvalidParameter,
// InvalidBodyAttribute) or, for the credentials in Authorization, an invalid token (401);
// a family may answer it itself (TextRefusing).

// TextError is a breach of the text rule: the Problem's Cause, so that a family can tell
// it from the validator's refusals.
type TextError struct {
	// Where names the value: a parameter, a body attribute ("a.b.0.c"), "(body)", or a
	// header.
	Where  string
	Reason string
}

func (e *TextError) Error() string { return e.Where + ": " + e.Reason }

// TextRefusing is a Family that counts the text rule's refusals: the token endpoint, whose
// callers are not authenticated yet, counts each as a failed client authentication of the
// caller's address. It returns nil to answer the problem in the family's shape, or the
// error to answer instead (a rate limit's).
type TextRefusing interface {
	RefuseText(c echo.Context, p *Problem) error
}

// IsTextRefusal tells whether the problem refuses text under the text rule.
func IsTextRefusal(p *Problem) bool {
	var textErr *TextError
	return errors.As(p.Cause, &textErr)
}

// refuse answers a problem found by the pipeline, letting the family count a text refusal.
func (f *Families) refuse(c echo.Context, p *Problem) error {
	if IsTextRefusal(p) {
		if refusing, ok := f.For(c.Request().URL.Path).(TextRefusing); ok {
			if err := refusing.RefuseText(c, p); err != nil {
				return err
			}
		}
	}
	return p
}

// textProblem is the problem of a value that breaks the text rule, where it was found.
func textProblem(kind ProblemKind, where, in, reason string) *Problem {
	return &Problem{Kind: kind, Subject: untrusted.Shown(where), In: in, Reason: reason, Cause: &TextError{Where: untrusted.Shown(where), Reason: reason}}
}

// authorizationProblem refuses the credentials of a request that sends more than one
// Authorization header (which would be used is a guess: none is), or one that is not text,
// or HTTP Basic credentials that are not text, as sent or form-urlencoded (RFC 6749
// §2.3.1, the token endpoint's clientBasic): an invalid token.
func authorizationProblem(r *http.Request) *Problem {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return nil
	case len(values) > 1:
		return &Problem{Kind: InvalidToken, Subject: "Authorization", In: "header", Reason: "more than one Authorization header",
			Cause: &TextError{Where: "Authorization", Reason: "more than one Authorization header"}}
	}
	if fault := untrusted.TextFault(values[0]); fault != "" {
		return textProblem(InvalidToken, "Authorization", "header", fault)
	}
	scheme, credentials, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(credentials))
	if err != nil {
		return nil // not Basic credentials: the token endpoint says so
	}
	for _, part := range strings.SplitN(string(decoded), ":", 2) {
		fault := untrusted.TextFault(part)
		if unescaped, err := url.QueryUnescape(part); fault == "" && err == nil {
			fault = untrusted.TextFault(unescaped)
		}
		if fault != "" {
			return textProblem(InvalidToken, "Authorization", "header", "Basic credentials: "+fault)
		}
	}
	return nil
}

// parametersProblem refuses a query string Go cannot parse, and a path parameter, query
// parameter (name or value) or header parameter of the operation that is not text.
func parametersProblem(r *http.Request, route *routers.Route, pathParams map[string]string) *Problem {
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return &Problem{Kind: InvalidParameter, Subject: "query string", In: "query", Reason: "the query string is malformed: " + err.Error()}
	}
	for _, name := range slices.Sorted(maps.Keys(pathParams)) {
		if fault := untrusted.TextFault(pathParams[name]); fault != "" {
			return textProblem(InvalidParameter, name, "path", fault)
		}
	}
	query := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if fault := untrusted.TextFault(name); fault != "" {
			return textProblem(InvalidParameter, name, "query", "parameter name: "+fault)
		}
		for _, value := range query[name] {
			if fault := untrusted.TextFault(value); fault != "" {
				return textProblem(InvalidParameter, name, "query", fault)
			}
		}
	}
	for _, parameters := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, ref := range parameters {
			if p := ref.Value; p != nil && p.In == openapi3.ParameterInHeader {
				for _, value := range r.Header.Values(p.Name) {
					if fault := untrusted.TextFault(value); fault != "" {
						problem := textProblem(InvalidParameter, p.Name, "header", fault)
						problem.Value = untrusted.Shown(value)
						return problem
					}
				}
			}
		}
	}
	return nil
}

// textCheckedBody wraps a kin-openapi body decoder with the text rule: a body that decodes
// must be UTF-8 without NUL (and a JSON body without escaped lone surrogates, a form body's
// names and values text), and every string and member name decoded from it text. A breach is returned as a
// *TextError, which the pipeline answers as an invalid body attribute.
func textCheckedBody(decode openapi3filter.BodyDecoder) openapi3filter.BodyDecoder {
	return func(body io.Reader, h http.Header, schema *openapi3.SchemaRef, encoding openapi3filter.EncodingFn) (any, error) {
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		// A body that does not decode is malformed, whatever its text.
		value, err := decode(bytes.NewReader(data), h, schema, encoding)
		if err != nil {
			return nil, err
		}
		// A raw NUL or invalid UTF-8 in a comment, say, is refused too.
		switch {
		case !utf8.Valid(data):
			return nil, &TextError{Where: "(body)", Reason: "text must be valid UTF-8"}
		case bytes.IndexByte(data, 0) >= 0:
			return nil, &TextError{Where: "(body)", Reason: "text may not contain a NUL character"}
		}
		mediaType, _, _ := strings.Cut(h.Get("Content-Type"), ";")
		switch mediaType = strings.ToLower(strings.TrimSpace(mediaType)); {
		case isJSONMediaType(mediaType):
			if fault := untrusted.JSONTextFault(data); fault != "" {
				return nil, &TextError{Where: "(body)", Reason: fault}
			}
		case mediaType == "application/x-www-form-urlencoded":
			// Every field, those the schema does not name too; a form Go cannot parse is
			// left to the decoder.
			form, _ := url.ParseQuery(string(data))
			for _, name := range slices.Sorted(maps.Keys(form)) {
				if fault := untrusted.TextFault(name); fault != "" {
					return nil, &TextError{Where: "(body)", Reason: "form field name: " + fault}
				}
				for _, field := range form[name] {
					if fault := untrusted.TextFault(field); fault != "" {
						return nil, &TextError{Where: untrusted.Shown(name), Reason: fault}
					}
				}
			}
		}
		if textErr := decodedTextFault(value, nil); textErr != nil {
			return nil, textErr
		}
		return value, nil
	}
}

// decodedTextFault finds the first string or member name in a decoded body that breaks the
// text rule, naming where it is as validation names a body attribute ("a.b.0.c").
func decodedTextFault(value any, path []string) *TextError {
	where := func(more ...string) string {
		if p := append(append([]string{}, path...), more...); len(p) > 0 {
			return strings.Join(p, ".")
		}
		return "(body)"
	}
	switch v := value.(type) {
	case string:
		if fault := untrusted.TextFault(v); fault != "" {
			return &TextError{Where: untrusted.Shown(where()), Reason: fault}
		}
	case map[string]any:
		for _, name := range slices.Sorted(maps.Keys(v)) {
			if fault := untrusted.TextFault(name); fault != "" {
				return &TextError{Where: untrusted.Shown(where(name)), Reason: "member name: " + fault}
			}
			if textErr := decodedTextFault(v[name], append(path, name)); textErr != nil {
				return textErr
			}
		}
	case []any:
		for i, element := range v {
			if textErr := decodedTextFault(element, append(path, strconv.Itoa(i))); textErr != nil {
				return textErr
			}
		}
	}
	return nil
}

// errDataAfterJSONValue: a body is one JSON value, then at most whitespace (RFC 8259 §2).
var errDataAfterJSONValue = errors.New("data follows the JSON value")

// wholeJSONBody wraps kin-openapi's JSON decoder, which reads the first value and ignores
// the rest, so that a body with more after its value is malformed, not cut short.
func wholeJSONBody(decode openapi3filter.BodyDecoder) openapi3filter.BodyDecoder {
	return func(body io.Reader, h http.Header, schema *openapi3.SchemaRef, encoding openapi3filter.EncodingFn) (any, error) {
		data, err := io.ReadAll(WithoutBOM(body))
		if err != nil {
			return nil, err
		}
		value, err := decode(bytes.NewReader(data), h, schema, encoding)
		if err != nil {
			return nil, err
		}
		// The first value is valid JSON: if the whole is not, something follows it.
		if !json.Valid(data) {
			return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: errDataAfterJSONValue}
		}
		return value, nil
	}
}
