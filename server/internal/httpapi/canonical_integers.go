package httpapi

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// canonicalInteger is the one way an integer is written in a path: no sign but for a
// negative one, no leading zero, no "-0".
var canonicalInteger = regexp.MustCompile(`^(0|-?[1-9][0-9]*)$`)

// RequireCanonicalIntegers refuses a path whose integer parameters are not written in
// canonical form. The validator and the binder read "+100" and "0100" as 100, so one
// resource would answer at many paths, and the path of a refusal or a log line would not
// name the id the way responses do. The spec declares which path parameters are integers;
// a percent-encoded digit is the digit.
func RequireCanonicalIntegers(spec *openapi3.T) echo.MiddlewareFunc {
	integers := map[string][]string{} // Echo route → its integer path parameters
	for path, item := range spec.Paths.Map() {
		echoPath := strings.NewReplacer("{", ":", "}", "").Replace(path)
		for method, op := range item.Operations() {
			for _, parameters := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, ref := range parameters {
					if p := ref.Value; p != nil && p.In == openapi3.ParameterInPath && p.Schema != nil &&
						p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeInteger) {
						integers[method+" "+echoPath] = append(integers[method+" "+echoPath], p.Name)
					}
				}
			}
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			for _, name := range integers[c.Request().Method+" "+c.Path()] {
				raw := c.Param(name)
				value, err := url.PathUnescape(raw)
				if err != nil {
					value = raw
				}
				if !canonicalInteger.MatchString(value) {
					return &Problem{Kind: InvalidParameter, In: "path", Subject: name, Value: value,
						Reason: "an integer is written in decimal digits without a sign or leading zeros"}
				}
			}
			return next(c)
		}
	}
}
