package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
)

// ValidateRequests checks every request against the embedded spec before a handler sees
// it: route, security (the principal is put into the request's context), parameters and
// body, then what the spec cannot say by itself: the text rule (text.go) on the
// credentials, parameters and body, no unknown query parameters, no body where the
// operation takes none, and an Accept header we can answer.
func ValidateRequests(router routers.Router, tokens *auth.Verifier, families *Families) echo.MiddlewareFunc {
	options := &openapi3filter.Options{
		AuthenticationFunc:      checkSecurityScheme,
		SkipSettingDefaults:     true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(families.stringFormats())},
		// The strict handlers bind the value validated here: Echo's binder decodes only
		// application/json, not structured-suffix types such as application/vnd.x+json.
		KeepValidatedValue: true,
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			// From here on every body's length is known.
			if problem := readBodyOfUnknownLength(r); problem != nil {
				return problem
			}
			CanonicalizeContentType(r.Header)
			route, pathParams, err := router.FindRoute(r)
			switch {
			case errors.Is(err, routers.ErrMethodNotAllowed):
				return &Problem{Kind: MethodNotAllowed, Subject: r.URL.Path, Reason: r.Method}
			case err != nil:
				return &Problem{Kind: NoRoute, Subject: r.URL.Path}
			}
			if problem := authorizationProblem(r); problem != nil {
				return families.refuse(c, problem)
			}
			r = r.WithContext(auth.WithAuthentication(r.Context(), tokens.Authenticate(r)))
			c.SetRequest(r)
			input := &openapi3filter.RequestValidationInput{
				Request:    r,
				PathParams: pathParams,
				Route:      route,
				Options:    options,
			}
			if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
				return families.refuse(c, translateValidationError(err))
			}
			if problem := parametersProblem(r, route, pathParams); problem != nil {
				return families.refuse(c, problem)
			}
			if unknown := unknownQueryParameters(r, route); len(unknown) > 0 {
				return &Problem{Kind: UnknownQueryParameters, Subject: strings.Join(unknown, ", "), Names: unknown}
			}
			if route.Operation.RequestBody == nil && r.ContentLength > 0 {
				return &Problem{Kind: BodyNotAllowed}
			}
			// Repeated Accept lines form one list (RFC 9110 §5.3).
			if accept := strings.Join(r.Header.Values("Accept"), ", "); !acceptsAny(accept, producedMediaTypes(route.Operation)) {
				return &Problem{Kind: NotAcceptable, Subject: accept}
			}
			c.SetRequest(r.WithContext(store.WithAuditSource(r.Context(), AuditSourceOf(r, specOperationID(route.Operation.OperationID)))))
			return next(c)
		}
	}
}

// unknownQueryParameters lists, sorted, the query parameters the operation does not declare.
func unknownQueryParameters(r *http.Request, route *routers.Route) []string {
	var unknown []string
	for name := range r.URL.Query() {
		if route.Operation.Parameters.GetByInAndName(openapi3.ParameterInQuery, name) == nil &&
			route.PathItem.Parameters.GetByInAndName(openapi3.ParameterInQuery, name) == nil {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// readBodyOfUnknownLength reads a body sent without Content-Length (chunked) before
// validation does: the body limit can refuse such a body only while it is read, and
// kin-openapi first reads it while checking security, where the limit's failure would pass
// for a failed authentication. A body of known length was checked by the limit already.
func readBodyOfUnknownLength(r *http.Request) *Problem {
	if r.ContentLength >= 0 || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	var httpErr *echo.HTTPError
	switch {
	case errors.As(err, &httpErr) && httpErr.Code == http.StatusRequestEntityTooLarge:
		return &Problem{Kind: BodyTooLarge, Subject: BodyLimit}
	case err != nil:
		return &Problem{Kind: BodyMalformed, Reason: "the body could not be read", Cause: err}
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return nil
}

// producedMediaTypes lists the media types of the operation's successful responses, which
// the Accept header must admit; for an operation whose successes have no body, those of its
// other responses (its errors).
func producedMediaTypes(op *openapi3.Operation) []string {
	var success, other []string
	for status, response := range op.Responses.Map() {
		if response.Value == nil {
			continue
		}
		for mediaType := range response.Value.Content {
			if strings.HasPrefix(status, "2") {
				success = appendNew(success, mediaType)
			} else {
				other = appendNew(other, mediaType)
			}
		}
	}
	if len(success) > 0 {
		return success
	}
	return other
}

func appendNew(list []string, value string) []string {
	if slices.Contains(list, value) {
		return list
	}
	return append(list, value)
}

// acceptsAny tells whether an Accept header admits one of the produced media types: the
// header is absent, or one of the types has a non-zero quality. An operation that produces
// no body accepts any header. A header too long to parse admits nothing.
func acceptsAny(header string, produced []string) bool {
	if strings.TrimSpace(header) == "" || len(produced) == 0 {
		return true
	}
	accept := ParseWeightedList(header)
	for _, mediaType := range produced {
		if AcceptQuality(accept, mediaType) > 0 {
			return true
		}
	}
	return false
}

// AcceptQuality is the quality an Accept header gives a media type: that of the most
// specific media range matching it, so "application/json;q=0, */*" refuses JSON
// (RFC 9110 §12.5.1); 0 when no range matches. Media type parameters are not compared.
func AcceptQuality(accept WeightedList, mediaType string) float64 {
	quality, specificity := 0.0, 0
	for _, e := range accept.Elements {
		if s := mediaRangeSpecificity(strings.ToLower(e.Value), mediaType); s > specificity {
			quality, specificity = e.Quality, s
		}
	}
	return quality
}

// mediaRangeSpecificity: 3 for the exact type, 2 for "type/*" and for application/json
// naming a "+json" type (which is JSON, RFC 6839 §3.1), 1 for "*/*", 0 when the range does
// not match (RFC 9110 §12.5.1).
func mediaRangeSpecificity(mediaRange, mediaType string) int {
	switch {
	case mediaRange == mediaType:
		return 3
	case mediaRange == "*/*":
		return 1
	case mediaRange == "application/json" && strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"):
		return 2
	}
	if prefix, found := strings.CutSuffix(mediaRange, "/*"); found && strings.HasPrefix(mediaType, prefix+"/") {
		return 2
	}
	return 0
}

// translateValidationError turns kin-openapi's verdict into a request problem.
func translateValidationError(err error) *Problem {
	var security *openapi3filter.SecurityRequirementsError
	if errors.As(err, &security) {
		return classifyAuthFailure(security.Errors)
	}
	var httpErr *echo.HTTPError
	if errors.As(err, &httpErr) && httpErr.Code == http.StatusRequestEntityTooLarge {
		return &Problem{Kind: BodyTooLarge, Subject: BodyLimit}
	}
	var requestErr *openapi3filter.RequestError
	if !errors.As(err, &requestErr) {
		return &Problem{Kind: InvalidParameter, Subject: "request", Reason: err.Error()}
	}
	if p := requestErr.Parameter; p != nil {
		problem := &Problem{Kind: InvalidParameter, Subject: p.Name, In: p.In, Reason: schemaReason(requestErr.Err), Cause: requestErr.Err}
		if p.In == openapi3.ParameterInHeader {
			problem.Value = requestErr.Input.Request.Header.Get(p.Name)
		}
		return problem
	}
	switch {
	case strings.HasPrefix(requestErr.Reason, "header Content-Type has unexpected value"):
		return &Problem{Kind: UnsupportedMediaType, Subject: requestErr.Input.Request.Header.Get("Content-Type")}
	case errors.Is(requestErr.Err, openapi3filter.ErrInvalidRequired):
		return &Problem{Kind: BodyRequired}
	case errors.As(requestErr.Err, new(*unsupportedCharsetError)):
		return &Problem{Kind: UnsupportedMediaType, Subject: requestErr.Input.Request.Header.Get("Content-Type"), Cause: requestErr.Err}
	}
	var textErr *TextError
	if errors.As(requestErr.Err, &textErr) {
		return &Problem{Kind: InvalidBodyAttribute, Subject: textErr.Where, Reason: textErr.Reason, Cause: textErr}
	}
	var schemaErr *openapi3.SchemaError
	if errors.As(requestErr.Err, &schemaErr) {
		attribute := strings.Join(schemaErr.JSONPointer(), ".")
		if attribute == "" {
			attribute = "(body)"
		}
		problem := &Problem{Kind: InvalidBodyAttribute, Subject: attribute, Reason: schemaErr.Reason, Cause: schemaErr}
		// kin-openapi's enum reason lists the allowed values but not the one sent.
		if value, ok := schemaErr.Value.(string); ok && schemaErr.SchemaField == "enum" {
			problem.Value = value
		}
		return problem
	}
	return &Problem{Kind: BodyMalformed, Reason: strings.TrimPrefix(schemaReason(requestErr.Err), "failed to decode request body: "), Cause: requestErr.Err}
}

// schemaReason is the short reason of a validation error, without kin-openapi's dump of
// the schema and value.
func schemaReason(err error) string {
	var schemaErr *openapi3.SchemaError
	if errors.As(err, &schemaErr) {
		return schemaErr.Reason
	}
	if err == nil {
		return "invalid value"
	}
	return err.Error()
}

// CanonicalizeContentType lower-cases the body's media type (media types are
// case-insensitive): the generated strict handlers pick a body by a case-sensitive prefix of
// Content-Type, so a body sent as Application/JSON would otherwise reach them as none.
// Parameters Go cannot parse are kept as sent, but the media type before them is still
// lower-cased and trimmed: validation reads the media type whatever its parameters, so a
// body it admits always reaches the handler.
func CanonicalizeContentType(h http.Header) {
	value := h.Get("Content-Type")
	if value == "" {
		return
	}
	if mediaType, params, err := mime.ParseMediaType(value); err == nil {
		h.Set("Content-Type", mime.FormatMediaType(mediaType, params))
		return
	}
	mediaType, params, hasParams := strings.Cut(value, ";")
	canonical := strings.ToLower(strings.TrimSpace(mediaType))
	if hasParams {
		canonical += ";" + params
	}
	h.Set("Content-Type", canonical)
}

// isJSONMediaType: application/json or a +json type (RFC 6839), whose bodies can escape a
// NUL character as \u0000; in other types (XML) that is text.
func isJSONMediaType(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	return mediaType == "application/json" || (strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}
