package egain

import (
	"errors"
	"strings"

	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Reasons are the parts of a message that say why: worded from what the validator or the
// XML decoder reported, in the locale of the message they go into.

// egainReason is a part of a message that explains a reason, worded in the response's
// locale like the message it goes into.
type egainReason struct {
	message string
	data    map[string]any
	count   any
}

// valueReason words why a parameter or body attribute is invalid from the schema rule it
// breaks.
func valueReason(cause error) egainReason {
	var schemaErr *openapi3.SchemaError
	if !errors.As(cause, &schemaErr) {
		return egainReason{message: "reason.invalidValue"}
	}
	schema := schemaErr.Schema
	switch field := schemaErr.SchemaField; field {
	case "required", "uniqueItems":
		return egainReason{message: "reason.schema." + field}
	case "properties", "additionalProperties":
		return egainReason{message: "reason.schema.additionalProperties"}
	case "type":
		return egainReason{message: "reason.schema.type", data: map[string]any{"Type": strings.Join(schema.Type.Slice(), ", ")}}
	case "pattern":
		return egainReason{message: "reason.schema.pattern", data: map[string]any{"Pattern": schema.Pattern}}
	case "maxItems":
		return countedReason("reason.schema.maxItems", schema.MaxItems)
	case "minItems":
		return countedReason("reason.schema.minItems", &schema.MinItems)
	case "maxLength":
		return countedReason("reason.schema.maxLength", schema.MaxLength)
	case "enum":
		values := make([]string, len(schema.Enum))
		for i, v := range schema.Enum {
			values[i], _ = v.(string)
		}
		return egainReason{message: "reason.schema.enum", data: map[string]any{"Values": strings.Join(values, ", ")}}
	default:
		return egainReason{message: "reason.schema.rule", data: map[string]any{"Rule": field}}
	}
}

// bodyAttribute is the path of the body attribute a problem is about, down to an
// unsupported member itself.
func bodyAttribute(p *httpapi.Problem) string {
	var schemaErr *openapi3.SchemaError
	if !errors.As(p.Cause, &schemaErr) {
		return p.Subject
	}
	member, ok := httpapi.UnsupportedMember(schemaErr.Reason)
	if !ok {
		return p.Subject
	}
	if path := schemaErr.JSONPointer(); len(path) > 0 {
		return strings.Join(append(path, member), ".")
	}
	return member
}

func countedReason(message string, limit *uint64) egainReason {
	var n int64
	if limit != nil {
		n = int64(*limit)
	}
	return egainReason{message: message, data: map[string]any{"Limit": n}, count: n}
}

// bodyReason words why a body could not be decoded: as XML by the binding, or as JSON.
func bodyReason(cause error) egainReason {
	var xmlErr *xmlBindingError
	if !errors.As(cause, &xmlErr) {
		var parseErr *openapi3filter.ParseError
		if errors.As(cause, &parseErr) && parseErr.Kind == openapi3filter.KindInvalidFormat {
			return egainReason{message: "reason.body.json"}
		}
		return egainReason{message: "reason.body.undecodable"}
	}
	data := map[string]any{"Element": untrusted.Echoed(xmlErr.element), "Namespace": xmlErr.namespace, "Line": xmlErr.line}
	reason := egainReason{message: "reason.xml." + string(xmlErr.problem), data: data}
	switch xmlErr.problem {
	case xmlDepth:
		data["Limit"], reason.count = maxXMLDepth, maxXMLDepth
	case xmlTokens:
		data["Limit"], reason.count = maxXMLTokens, maxXMLTokens
	}
	return reason
}
