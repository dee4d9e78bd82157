package egain

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// Rendering of eGain errors: an error of the catalogue with its arguments and details,
// written as a WSError in the negotiated format and locale.

// egainError is an eGain error about to be written: a catalogue entry, its message
// arguments and its details.
type egainError struct {
	id      egainErrorID
	args    []any
	details []gen.WSErrorDetail
}

// newEgainError makes the error id of the catalogue with the arguments its entry names, in
// order. Another number of arguments, or a plural count that is neither a list nor an
// integer, breaks the catalogue: the error becomes 500-100.
func newEgainError(id egainErrorID, args ...any) *egainError {
	if id < 0 || id >= egainErrorCount {
		egainCatalogueViolation(fmt.Sprintf("no catalogue entry %d", id))
		return &egainError{id: errSystem}
	}
	entry := egainCatalogue[id]
	if len(args) != len(entry.args) {
		egainCatalogueViolation(fmt.Sprintf("%s takes %d argument(s) %v, got %d", entry.code, len(entry.args), entry.args, len(args)))
		return &egainError{id: errSystem}
	}
	if i := slices.Index(entry.args, entry.count); i >= 0 {
		switch args[i].(type) {
		case []string, int, int64:
		default:
			egainCatalogueViolation(fmt.Sprintf("%s counts %s, a list or an integer, got %T", entry.code, entry.count, args[i]))
			return &egainError{id: errSystem}
		}
	}
	return &egainError{id: id, args: args}
}

// egainCatalogueViolation is called when code breaks the catalogue: an error made with
// another number of arguments than its entry names, or given a details key its entry does
// not list. The service logs it and answers 500-100 or drops the detail; the tests make it
// panic (TestMain), so that no such use goes unnoticed.
var egainCatalogueViolation = func(problem string) {
	slog.Error("eGain error catalogue broken", "problem", problem)
}

func (e *egainError) entry() egainCode { return egainCatalogue[e.id] }

// with adds a details entry under a key the catalogue lists for the error; another key
// breaks the catalogue and is dropped.
func (e *egainError) with(key, value string) *egainError {
	if entry := e.entry(); !slices.Contains(entry.details, key) {
		egainCatalogueViolation(fmt.Sprintf("%s has no details key %q (only %v)", entry.code, key, entry.details))
		return e
	}
	e.details = append(e.details, gen.WSErrorDetail{Key: key, Value: value})
	return e
}

// withEach adds one details entry per value, under the same key.
func (e *egainError) withEach(key string, values []string) *egainError {
	for _, v := range values {
		e.with(key, v)
	}
	return e
}

// Error is the English developer message, for the logs.
func (e *egainError) Error() string {
	return e.entry().code + " " + e.body(egainPreferences{locale: defaultLocale}).DeveloperMessage
}

// WSError's limits, as eGain publishes them (userMessage and a detail's value) and as its
// catalogue documents them (developerMessage, the number of details).
const (
	maxErrorDetails           = 30
	maxDeveloperMessageLength = 2048
	maxUserMessageLength      = 1024
	maxDetailKeyLength        = 255
	maxDetailValueLength      = 255
)

// body renders the error as eGain's WSError in the locale asked for; userMessage only when
// the client asked for it with X-egain-error-message: yes. Every text keeps to WSError's
// limits, however long what the request sent.
func (e *egainError) body(p egainPreferences) gen.WSError {
	entry := e.entry()
	data, count := e.templateData(p.locale)
	developerMessage := localize(p.locale, entry.message+".developer", data, count)
	body := gen.WSError{Code: entry.code, DeveloperMessage: untrusted.Clip(developerMessage, maxDeveloperMessageLength)}
	if p.userMessage {
		msg := untrusted.Clip(localize(p.locale, entry.message+".user", data, count), maxUserMessageLength)
		body.UserMessage = &msg
	}
	if len(e.details) > 0 {
		details := make([]gen.WSErrorDetail, min(len(e.details), maxErrorDetails))
		for i := range details {
			details[i] = gen.WSErrorDetail{Key: untrusted.Clip(e.details[i].Key, maxDetailKeyLength), Value: untrusted.Clip(e.details[i].Value, maxDetailValueLength)}
		}
		body.Details = &details
	}
	return body
}

// templateData names the arguments as the catalogue says: a list written comma-separated,
// a reason worded in the locale. The plural count is the counted argument's length (a list,
// whose messages write it as {{.Count}}) or value.
func (e *egainError) templateData(locale int) (map[string]any, any) {
	entry := e.entry()
	data := make(map[string]any, len(entry.args)+1)
	var count any
	for i, name := range entry.args {
		if i >= len(e.args) {
			break
		}
		switch arg := e.args[i].(type) {
		case egainReason:
			data[name] = localize(locale, arg.message, arg.data, arg.count)
		case []string:
			data[name] = strings.Join(arg, ", ")
			if name == entry.count {
				data["Count"] = len(arg)
			}
		default:
			data[name] = arg
		}
		if name == entry.count {
			count = data[name]
			if n, isList := data["Count"]; isList {
				count = n
			}
		}
	}
	return data, count
}

// write writes the error in the negotiated media type and locale.
func (e *egainError) write(w http.ResponseWriter, p egainPreferences) error {
	var data []byte
	if p.xml {
		var err error
		if data, err = marshalXML(e.body(p), "WSError"); err != nil {
			return err
		}
	}
	h := w.Header()
	setEgainResponseHeaders(h, p)
	// An error depends on more than Vary names (the token, X-egain-error-message): no cache
	// may keep it.
	h.Set("Cache-Control", "no-store")
	if !p.xml {
		return httpapi.WriteJSON(w, e.entry().status, "application/json", e.body(p), true)
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.entry().status)
	_, err := w.Write(data)
	return err
}

// egainFailure is the strict-handler response for an expected failure of an eGain operation.
type egainFailure struct {
	err         *egainError
	preferences egainPreferences
}

func (f egainFailure) write(w http.ResponseWriter) error {
	return f.err.write(w, f.preferences)
}

func (f egainFailure) Failure() httpapi.VendorError { return f.err }

func (f egainFailure) VisitCreateCustomerGrantsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f egainFailure) VisitListCustomerGrantsResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f egainFailure) VisitDeleteCustomerGrantResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f egainFailure) VisitGetCustomerResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f egainFailure) VisitGetCustomerGrantsContextResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (e *egainError) HTTPStatus() int   { return e.entry().status }
func (e *egainError) ErrorCode() string { return e.entry().code }

func (e *egainError) WriteResponse(w http.ResponseWriter, r *http.Request) error {
	return e.write(w, egainPreferencesOf(r.Context(), r.Header))
}
