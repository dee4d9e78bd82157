package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/httpapi"
	"github.com/custaccess/custaccess/store"
)

const (
	eventsPath       = "/audit/v1/events"
	defaultPageLimit = 100
	ndjson           = "application/x-ndjson"
)

// Events serves GET /audit/v1/events.
type Events struct {
	store *store.Store
}

// New serves the audit trail over s.
func New(s *store.Store) *Events { return &Events{store: s} }

// ListAuditEvents answers a page of events as JSON, or the whole selection as NDJSON.
func (e *Events) ListAuditEvents(ctx context.Context, request gen.ListAuditEventsRequestObject) (gen.ListAuditEventsResponseObject, error) {
	if err := e.requireAuditor(ctx); err != nil {
		return nil, err
	}
	q := queryOf(request.Params)
	if wanted, _ := ctx.Value(ndjsonKey{}).(bool); wanted {
		return gen.ListAuditEvents200ApplicationxNdjsonResponse{Body: e.export(ctx, q)}, nil
	}
	limit := defaultPageLimit
	if request.Params.Limit != nil {
		limit = *request.Params.Limit
	}
	// One more than the page tells whether another follows.
	q.Limit = limit + 1
	events, err := e.store.AuditEvents(ctx, q)
	if err != nil {
		return nil, err
	}
	var page gen.AuditEventPage
	if len(events) > limit {
		events = events[:limit]
		next := nextLink(request.Params, events[len(events)-1].Seq)
		page.Next = &next
	}
	// The API's event is the store's, its changes read as they were written.
	encoded, err := json.Marshal(events)
	if err != nil {
		return nil, err
	}
	decoder := json.NewDecoder(bytes.NewReader(encoded))
	decoder.UseNumber()
	if err := decoder.Decode(&page.Items); err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []gen.AuditEvent{}
	}
	return gen.ListAuditEvents200JSONResponse(page), nil
}

// export streams the selection as NDJSON through a pipe: the store reads it a batch at a
// time and each event is written as it comes, so memory stays bounded however many there
// are. A failure after the first bytes can only cut the stream short.
func (e *Events) export(ctx context.Context, q store.AuditQuery) io.Reader {
	reader, writer := io.Pipe()
	go func() {
		encoder := json.NewEncoder(writer)
		err := e.store.EachAuditEvent(ctx, q, func(event store.AuditEvent) error { return encoder.Encode(event) })
		writer.CloseWithError(err)
	}()
	return reader
}

// requireAuditor checks, at every request, that the token's principal is an auditor.
func (e *Events) requireAuditor(ctx context.Context) error {
	claims := auth.PrincipalFrom(ctx)
	if claims == nil {
		return newProblem(http.StatusUnauthorized, "A bearer token is required.")
	}
	auditor := false
	err := e.store.View(ctx, func(tx *store.Tx) error {
		if claims.Kind != auth.PrincipalUser && claims.Kind != auth.PrincipalClient {
			return store.ErrNotFound
		}
		var err error
		auditor, err = tx.IsAuditor(claims.Kind == auth.PrincipalUser, claims.Subject)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return newProblem(http.StatusUnauthorized, "The bearer token is not valid: its principal does not exist.")
	}
	if err != nil {
		return err
	}
	if !auditor {
		return newProblem(http.StatusForbidden, "The principal "+string(claims.Kind)+":"+claims.Subject+" is not an auditor.")
	}
	return nil
}

// wantsNDJSON: NDJSON when Accept rates it higher than JSON, or as high and names it.
func wantsNDJSON(accept string) bool {
	if accept == "" {
		return false
	}
	list := httpapi.ParseWeightedList(accept)
	nd, js := httpapi.AcceptQuality(list, ndjson), httpapi.AcceptQuality(list, "application/json")
	if nd != js {
		return nd > js
	}
	if nd == 0 {
		return false
	}
	for _, element := range list.Elements {
		if element.Value == ndjson && element.Quality > 0 {
			return true
		}
	}
	return false
}

func queryOf(p gen.ListAuditEventsParams) store.AuditQuery {
	var q store.AuditQuery
	if p.Api != nil {
		q.API = string(*p.Api)
	}
	if p.OperationId != nil {
		q.OperationID = *p.OperationId
	}
	if p.Actor != nil {
		q.Actor = *p.Actor
	}
	if p.Target != nil {
		q.TargetID = *p.Target
	}
	if p.From != nil {
		q.From = *p.From
	}
	if p.To != nil {
		q.To = *p.To
	}
	if p.After != nil {
		q.After = *p.After
	}
	return q
}

// nextLink is the request's filters with after set to the page's last seq.
func nextLink(p gen.ListAuditEventsParams, last int64) string {
	values := url.Values{}
	if p.Api != nil {
		values.Set("api", string(*p.Api))
	}
	if p.OperationId != nil {
		values.Set("operationId", *p.OperationId)
	}
	if p.Actor != nil {
		values.Set("actor", *p.Actor)
	}
	if p.Target != nil {
		values.Set("target", *p.Target)
	}
	if p.From != nil {
		values.Set("from", p.From.UTC().Format(time.RFC3339Nano))
	}
	if p.To != nil {
		values.Set("to", p.To.UTC().Format(time.RFC3339Nano))
	}
	if p.Limit != nil {
		values.Set("limit", strconv.Itoa(*p.Limit))
	}
	values.Set("after", strconv.FormatInt(last, 10))
	return eventsPath + "?" + values.Encode()
}
