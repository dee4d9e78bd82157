package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
)

// validateRequests checks every request against the embedded spec before a handler sees
// it: route, security (the principal is put into the request's context), parameters and
// body, then what the spec cannot say by itself: no unknown query parameters, no body
// where the operation takes none, and an Accept header we can answer.
func validateRequests(router routers.Router, tokens bearerTokens) echo.MiddlewareFunc {
	options := &openapi3filter.Options{
		AuthenticationFunc:  checkSecurityScheme,
		SkipSettingDefaults: true,
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			route, pathParams, err := router.FindRoute(r)
			switch {
			case errors.Is(err, routers.ErrMethodNotAllowed):
				return &requestProblem{kind: problemMethodNotAllowed, subject: r.URL.Path, reason: r.Method}
			case err != nil:
				return &requestProblem{kind: problemNoRoute, subject: r.URL.Path}
			}
			ctx := withAuthentication(r.Context(), tokens.authenticate(r))
			r = r.WithContext(withUserMessagePreference(ctx, r.Header))
			c.SetRequest(r)
			input := &openapi3filter.RequestValidationInput{
				Request:    r,
				PathParams: pathParams,
				Route:      route,
				Options:    options,
			}
			if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
				return translateValidationError(err)
			}
			if unknown := unknownQueryParameters(r, route); len(unknown) > 0 {
				return &requestProblem{kind: problemUnknownQueryParameters, subject: strings.Join(unknown, ", "), names: unknown}
			}
			if route.Operation.RequestBody == nil && hasBody(r) {
				return &requestProblem{kind: problemBodyNotAllowed}
			}
			if accept := r.Header.Get("Accept"); !acceptsAny(accept, producedMediaTypes(route.Operation)) {
				return &requestProblem{kind: problemNotAcceptable, subject: accept}
			}
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

// hasBody tells whether the request carries a body, also when its length is not announced.
func hasBody(r *http.Request) bool {
	if r.ContentLength > 0 {
		return true
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return false
	}
	var first [1]byte
	n, _ := io.ReadFull(r.Body, first[:])
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(first[:n]), r.Body))
	return n > 0
}

// producedMediaTypes lists the media types of the operation's documented responses.
func producedMediaTypes(op *openapi3.Operation) []string {
	var types []string
	for _, response := range op.Responses.Map() {
		if response.Value == nil {
			continue
		}
		for mediaType := range response.Value.Content {
			if !slices.Contains(types, mediaType) {
				types = append(types, mediaType)
			}
		}
	}
	return types
}

// acceptsAny tells whether an Accept header admits one of the produced media types: the
// header is absent, or one of its media ranges matches with a non-zero q-value. An
// operation that produces no body accepts any header.
func acceptsAny(header string, produced []string) bool {
	if strings.TrimSpace(header) == "" || len(produced) == 0 {
		return true
	}
	for _, entry := range strings.Split(header, ",") {
		mediaRange, params, _ := strings.Cut(entry, ";")
		mediaRange = strings.ToLower(strings.TrimSpace(mediaRange))
		if zeroQuality(params) {
			continue
		}
		for _, mediaType := range produced {
			if mediaRangeMatches(mediaRange, mediaType) {
				return true
			}
		}
	}
	return false
}

// mediaRangeMatches: "*/*", "type/*" or the exact type (RFC 9110 §12.5.1).
func mediaRangeMatches(mediaRange, mediaType string) bool {
	if mediaRange == "*/*" || mediaRange == mediaType {
		return true
	}
	prefix, found := strings.CutSuffix(mediaRange, "/*")
	return found && strings.HasPrefix(mediaType, prefix+"/")
}

// zeroQuality tells whether media-range parameters carry q=0 (RFC 9110 §12.4.2).
func zeroQuality(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			value = strings.TrimSpace(value)
			return strings.Trim(value, "0.") == "" && value != ""
		}
	}
	return false
}

// translateValidationError turns kin-openapi's verdict into a request problem.
func translateValidationError(err error) *requestProblem {
	var security *openapi3filter.SecurityRequirementsError
	if errors.As(err, &security) {
		return classifyAuthFailure(security.Errors)
	}
	var httpErr *echo.HTTPError
	if errors.As(err, &httpErr) && httpErr.Code == http.StatusRequestEntityTooLarge {
		return &requestProblem{kind: problemBodyTooLarge, subject: bodyLimit}
	}
	var requestErr *openapi3filter.RequestError
	if !errors.As(err, &requestErr) {
		return &requestProblem{kind: problemInvalidParameter, subject: "request", reason: err.Error()}
	}
	if p := requestErr.Parameter; p != nil {
		problem := &requestProblem{kind: problemInvalidParameter, subject: p.Name, in: p.In, reason: schemaReason(requestErr.Err)}
		if p.In == openapi3.ParameterInHeader {
			problem.value = requestErr.Input.Request.Header.Get(p.Name)
		}
		return problem
	}
	switch {
	case strings.HasPrefix(requestErr.Reason, "header Content-Type has unexpected value"):
		return &requestProblem{kind: problemUnsupportedMediaType, subject: requestErr.Input.Request.Header.Get("Content-Type")}
	case errors.Is(requestErr.Err, openapi3filter.ErrInvalidRequired):
		return &requestProblem{kind: problemBodyRequired}
	}
	var schemaErr *openapi3.SchemaError
	if errors.As(requestErr.Err, &schemaErr) {
		attribute := strings.Join(schemaErr.JSONPointer(), ".")
		if attribute == "" {
			attribute = "(body)"
		}
		return &requestProblem{kind: problemInvalidBodyAttribute, subject: attribute, reason: schemaErr.Reason}
	}
	return &requestProblem{kind: problemBodyMalformed, reason: strings.TrimPrefix(schemaReason(requestErr.Err), "failed to decode request body: ")}
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
