package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
)

// ADF batch requests: POST to the version root with application/vnd.oracle.adf.batch+json,
// {"parts":[{"id","path","operation","payload","ifMatch","ifNoneMatch"}]}. Each part is sent
// through the whole HTTP stack (validation, token, rate limit, privileges, rules: the same
// code as the part sent alone) at the batch's framework version, its preconditions as its
// If-Match and If-None-Match, all parts in one transaction of the store; the first part that
// fails rolls everything back and is named in the batch's error. A part that PostgreSQL
// aborts for a conflict with another transaction answers 500 or 503 like any part, but the
// store's SharedTransaction then runs the whole batch again (see there): ExecuteBatch's fn
// only assigns the results by index, which a later attempt assigns again, and the parts'
// audit events are rolled back with the attempt that wrote them.

const mediaTypeADFBatch = "application/vnd.oracle.adf.batch+json"

// batchOrigin is what a batch's parts take over from the batch request.
type batchOrigin struct {
	header     http.Header
	remoteAddr string
	host       string
	tls        bool
}

type batchOriginKey struct{}

// PassBatchRequest hands the batch operation the request it came in, whose headers and
// peer its parts are sent with.
func PassBatchRequest(f gen.StrictHandlerFunc, operationID string) gen.StrictHandlerFunc {
	if operationID != "ExecuteBatch" {
		return f
	}
	return func(c echo.Context, request any) (any, error) {
		r := c.Request()
		origin := batchOrigin{header: r.Header.Clone(), remoteAddr: r.RemoteAddr, host: r.Host, tls: r.TLS != nil}
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), batchOriginKey{}, origin)))
		return f(c, request)
	}
}

// SendBatchPartsTo sets the handler batch parts are sent through: the server itself.
func (s *SelfServiceRoles) SendBatchPartsTo(h http.Handler) { s.batchParts = h }

// batchPartFailure is the first part of a batch that failed: its index and its answer.
type batchPartFailure struct {
	index  int
	part   gen.AdfBatchPart
	status int
	body   []byte
}

func (f *batchPartFailure) Error() string {
	return fmt.Sprintf("batch part %d failed with %d", f.index, f.status)
}

// batchPartPath checks a part's path and returns the absolute path to send it to: relative
// to the version root (/customerSelfServiceUsers/...) or absolute under it, within
// customerSelfServiceUsers and its children, with a query only for a get.
func batchPartPath(part gen.AdfBatchPart, index int) (string, error) {
	path := part.Path
	if rest, ok := strings.CutPrefix(path, oracleResourcesPath); ok {
		path = rest
	}
	outside := func(reason string) error {
		return newADFError(adfBatchInvalidPath, index, part.Id, part.Path, reason).at("parts[" + strconv.Itoa(index) + "].path")
	}
	pathOnly, query, hasQuery := strings.Cut(path, "?")
	switch {
	case !strings.HasPrefix(pathOnly, "/"+selfServiceUsersName) ||
		(len(pathOnly) > len(selfServiceUsersName)+1 && pathOnly[len(selfServiceUsersName)+1] != '/'):
		return "", outside("it is not a path of " + selfServiceUsersName + " or its children")
	case strings.Contains(pathOnly, "//") || strings.Contains(pathOnly, "/./") || strings.Contains(pathOnly, "..") ||
		strings.HasSuffix(pathOnly, "/.") || strings.IndexFunc(pathOnly, notPlainPathRune) >= 0:
		return "", outside("it is not a plain path")
	case hasQuery && part.Operation != gen.AdfBatchPartOperationGet:
		return "", outside("only a get may have a query")
	}
	if _, err := url.ParseQuery(query); err != nil || strings.ContainsAny(query, "# \t") {
		return "", outside("its query is malformed")
	}
	return oracleResourcesPath + path, nil
}

// checkBatchPartPreconditions refuses preconditions a part's operation does not take:
// ifMatch on an update or delete only, ifNoneMatch on a get of an item with an entity tag
// (a user or a role) only, neither with control characters (they go into a header).
func checkBatchPartPreconditions(part gen.AdfBatchPart, index int) error {
	refuse := func(field, reason string) error {
		return newADFError(adfBatchInvalidPrecondition, index, part.Id, reason).at("parts[" + strconv.Itoa(index) + "]." + field)
	}
	hasControl := func(v string) bool {
		return strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
	}
	if part.IfMatch != nil {
		switch {
		case part.Operation != gen.AdfBatchPartOperationUpdate && part.Operation != gen.AdfBatchPartOperationDelete:
			return refuse("ifMatch", "ifMatch is taken by an update or a delete, not by a "+string(part.Operation))
		case hasControl(*part.IfMatch):
			return refuse("ifMatch", "ifMatch holds a control character")
		}
	}
	if part.IfNoneMatch != nil {
		switch {
		case part.Operation != gen.AdfBatchPartOperationGet:
			return refuse("ifNoneMatch", "ifNoneMatch is taken by a get, not by a "+string(part.Operation))
		case !taggedItemPath.MatchString(part.Path):
			return refuse("ifNoneMatch", "ifNoneMatch needs an item with an entity tag (a role or a user), and "+part.Path+" is not one")
		case hasControl(*part.IfNoneMatch):
			return refuse("ifNoneMatch", "ifNoneMatch holds a control character")
		}
	}
	return nil
}

// taggedItemPath matches a part's path to a user or a role item (relative to the version root
// or absolute, a query allowed): the items that carry an entity tag.
var taggedItemPath = regexp.MustCompile(`^(` + regexp.QuoteMeta(oracleResourcesPath) + `)?/` + selfServiceUsersName +
	`/[^/?]+(/child/` + selfServiceRolesName + `/[^/?]+)?(\?.*)?$`)

// notPlainPathRune: a plain path has letters, digits, / _ - and . only.
func notPlainPathRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_-.", r))
}

// batchPartRequest builds the HTTP request of a part, at the batch's framework version.
func batchPartRequest(ctx context.Context, origin batchOrigin, framework adfFramework, part gen.AdfBatchPart, path string) (*http.Request, error) {
	method := map[gen.AdfBatchPartOperation]string{
		gen.AdfBatchPartOperationGet: http.MethodGet, gen.AdfBatchPartOperationCreate: http.MethodPost,
		gen.AdfBatchPartOperationUpsert: http.MethodPost, gen.AdfBatchPartOperationUpdate: http.MethodPatch,
		gen.AdfBatchPartOperationDelete: http.MethodDelete,
	}[part.Operation]
	var body []byte
	if part.Payload != nil {
		var err error
		if body, err = json.Marshal(*part.Payload); err != nil {
			return nil, err
		}
	}
	r, err := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.RemoteAddr, r.Host = origin.remoteAddr, origin.host
	r.RequestURI = path
	for _, name := range []string{"Authorization", headerMetadataContext, "X-Forwarded-For", "X-Forwarded-Proto"} {
		if values := origin.header.Values(name); len(values) > 0 {
			r.Header[http.CanonicalHeaderKey(name)] = values
		}
	}
	r.Header.Set(headerFrameworkVersion, strconv.Itoa(framework.version))
	if part.IfMatch != nil {
		r.Header.Set("If-Match", *part.IfMatch)
	}
	if part.IfNoneMatch != nil {
		r.Header.Set("If-None-Match", *part.IfNoneMatch)
	}
	r.Header.Set("Accept", "application/json")
	if part.Payload != nil {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.ContentLength = 0
		r.Body = http.NoBody
	}
	if part.Operation == gen.AdfBatchPartOperationUpsert {
		r.Header.Set("Upsert-Mode", "true")
	}
	return r, nil
}

// partRecorder keeps a part's answer.
type partRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *partRecorder) Header() http.Header { return p.header }
func (p *partRecorder) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
func (p *partRecorder) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

// ExecuteBatch runs a batch's parts in one transaction.
func (s *SelfServiceRoles) ExecuteBatch(ctx context.Context, request gen.ExecuteBatchRequestObject) (gen.ExecuteBatchResponseObject, error) {
	framework := frameworkOf(request.Params.RESTFrameworkVersion, request.Params.MetadataContext)
	origin, ok := ctx.Value(batchOriginKey{}).(batchOrigin)
	if !ok || s.batchParts == nil || request.Body == nil {
		return nil, errors.New("oracle: a batch reached its handler without its request, its body or the server to send its parts to")
	}
	parts := request.Body.Parts
	paths := make([]string, len(parts))
	ids := map[string]bool{}
	for i, part := range parts {
		if ids[part.Id] {
			return oracleFailure{err: newADFError(adfBatchDuplicateID, i, part.Id).at("parts[" + strconv.Itoa(i) + "].id"), framework: framework}, nil
		}
		ids[part.Id] = true
		var err error
		if paths[i], err = batchPartPath(part, i); err == nil {
			err = checkBatchPartPreconditions(part, i)
		}
		if err != nil {
			failure, _ := asOracleFailure(err, framework)
			return failure, nil
		}
	}
	results := make([]gen.AdfBatchPart, len(parts))
	err := s.store.SharedTransaction(ctx, func(ctx context.Context) error {
		for i, part := range parts {
			r, err := batchPartRequest(ctx, origin, framework, part, paths[i])
			if err != nil {
				return newADFError(adfBatchInvalidPath, i, part.Id, part.Path, "it is not a request path").at("parts[" + strconv.Itoa(i) + "].path")
			}
			rec := &partRecorder{header: http.Header{}}
			s.batchParts.ServeHTTP(rec, r)
			results[i] = gen.AdfBatchPart{Id: part.Id, Path: part.Path, Operation: part.Operation}
			notModified := rec.status == http.StatusNotModified && part.IfNoneMatch != nil
			if !notModified && (rec.status < 200 || rec.status > 299) {
				return &batchPartFailure{index: i, part: part, status: rec.status, body: rec.body.Bytes()}
			}
			if part.IfNoneMatch != nil && rec.header.Get("ETag") == "" {
				// The resource has no entity tag: the precondition was never evaluated.
				return newADFError(adfBatchInvalidPrecondition, i, part.Id, "ifNoneMatch needs an item with an entity tag (a role or a user), and "+part.Path+" has none").
					at("parts[" + strconv.Itoa(i) + "].ifNoneMatch")
			}
			if part.IfMatch != nil || part.IfNoneMatch != nil {
				results[i].PreconditionSucceeded = pointerTo(!notModified)
			}
			if rec.body.Len() > 0 {
				var payload map[string]any
				if err := json.Unmarshal(rec.body.Bytes(), &payload); err != nil {
					return fmt.Errorf("oracle: batch part %d answered %d with a body that is not a JSON object: %w", i, rec.status, err)
				}
				results[i].Payload = &payload
			}
		}
		return nil
	})
	var failed *batchPartFailure
	if errors.As(err, &failed) {
		return oracleFailure{err: failed.asADFError(), framework: framework}, nil
	}
	if failure, ok := asOracleFailure(err, framework); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.ExecuteBatch200ApplicationVndOracleAdfBatchPlusJSONResponse{Body: gen.AdfBatchResponse{Parts: results},
		Headers: gen.ExecuteBatch200ResponseHeaders{RESTFrameworkVersion: framework.version, MetadataContext: framework.metadataContext}}, nil
}

// asADFError is the batch's error for a failed part: the part's status and code, its
// detail prefixed with the part, and the part as the path. Before framework version 4 the
// part's error is its message as text, which is then the detail (the batch's own error is
// text too, without a code).
func (f *batchPartFailure) asADFError() *adfError {
	var body gen.AdfError
	detail, code := strings.TrimSpace(string(f.body)), adfSystem.code
	if json.Unmarshal(f.body, &body) == nil && len(body.OErrorDetails) > 0 {
		detail, code = body.OErrorDetails[0].Detail, body.OErrorDetails[0].OErrorCode
		if p := body.OErrorDetails[0].OErrorPath; p != nil {
			detail += " (at " + *p + ")"
		}
	}
	e := newADFError(adfCode{code: code, status: f.status, detail: adfBatchPartFailed.detail}, f.index, f.part.Id, detail)
	return e.at("parts[" + strconv.Itoa(f.index) + "]")
}

func (f oracleFailure) VisitExecuteBatchResponse(w http.ResponseWriter) error {
	return f.write(w)
}
