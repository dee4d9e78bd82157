package store

// The audit trail: one event per successful write, in the write's transaction, chained by
// SHA-256 so that an edited, deleted or reordered event is found (VerifyAuditChain).
//
// The ordering. A write appends its event to audit_pending: one INSERT, no lock, so writes
// on unrelated customers never wait for each other. Locking the chain's head inside every
// write would make seq gapless there, but would hold the head's lock until COMMIT and so
// serialize every write's COMMIT (measured: −58 … −88 % throughput). Instead
// SealAuditEvents numbers committed pending events (gapless seq), chains each and moves them
// into audit_events, a batch per transaction under the head row's lock, deleting exactly
// the pending ids it sealed (a write that commits while the sealer runs stays pending for
// the next seal). Every reader of the trail (the API, verify, export, tail, pruning) seals
// first, so it sees every event committed before it started; `serve` also seals every
// 200 ms. The trade-off: an event is in the database from its write's COMMIT, but outside
// the chain until the next seal.
//
// On SQLite, where one writer runs at a time and the writes that queue share its
// transaction (writeGroups), a write's event waits in its group instead, and the group
// chains its writes' events at its COMMIT (sealGroupEvents): nothing goes through
// audit_pending, and an event is in the chain from its write's COMMIT.
//
// The cost. The write digests its event's canonical JSON once (content_digest) and the
// chain links digests: hash = SHA-256(previous hash ‖ digest). So the sealer, which holds
// the head (and on SQLite the one writer) while it works, reads two columns per event and
// copies the rows inside the database, never decoding or encoding content. On PostgreSQL
// the event's INSERT rides on the write's own last statement where one carries it
// (execCarryingAudit), saving its round trip.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Audit APIs: the API of an event.
const (
	AuditAPIEgain  = "egain"
	AuditAPIReltio = "reltio"
	AuditAPIOracle = "oracle"
	AuditAPISeed   = "seed"
)

// Target types of audit events.
const (
	AuditTargetCustomer       = "customer"       // an eGain customer
	AuditTargetReltioCustomer = "reltioCustomer" // a Reltio customer (tenant owner)
	AuditTargetReltioRole     = "reltioRole"     // a Reltio role, "<customer>/<name>"
	AuditTargetOracleUser     = "oracleUser"     // an Oracle self-service user
	AuditTargetOracleRole     = "oracleRole"     // an Oracle self-service role
	AuditTargetOracleAccount  = "oracleAccount"  // an Oracle account
	AuditTargetSeedFile       = "seedFile"       // a seed file loaded by `custaccess seed`
	AuditTargetClient         = "client"         // a client application
	auditGenesisHash          = "0000000000000000000000000000000000000000000000000000000000000000"
	auditTimeLayout           = "2006-01-02T15:04:05.000000Z"
	auditSealBatch            = 500
	auditReadBatch            = 1000
	maxAuditChangesBytes      = 16 << 10
)

// AuditActor is who made a change: the token's principal (kind user or client, and its id),
// the token's issuer, and for a user's token from an identity provider the client the user
// acted through (the token's azp).
type AuditActor struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Issuer string `json:"issuer,omitempty"`
	Client string `json:"client,omitempty"`
}

// AuditSource is what a write's context tells its event: the actor, the operation and the
// request id. The HTTP pipeline puts it into every validated request's context; `custaccess
// seed` puts its own.
type AuditSource struct {
	Actor       AuditActor
	OperationID string
	RequestID   string
}

type auditSourceKey struct{}

// WithAuditSource keeps the source of the writes made under ctx.
func WithAuditSource(ctx context.Context, source AuditSource) context.Context {
	return context.WithValue(ctx, auditSourceKey{}, source)
}

// auditSourceOf returns the source in ctx; without one, a system actor (never the case for
// a request: validation puts it there).
func auditSourceOf(ctx context.Context) AuditSource {
	if ctx != nil {
		if source, ok := ctx.Value(auditSourceKey{}).(AuditSource); ok {
			return source
		}
	}
	return AuditSource{Actor: AuditActor{Kind: "system", ID: "custaccess"}}
}

// AuditTarget is what an event is about: a customer, a role, a user.
type AuditTarget struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// AuditEventContent is an event as hashed: everything but its place in the chain.
type AuditEventContent struct {
	Time        time.Time       `json:"time"`
	API         string          `json:"api"`
	OperationID string          `json:"operationId"`
	Actor       AuditActor      `json:"actor"`
	RequestID   string          `json:"requestId"`
	Targets     []AuditTarget   `json:"targets"`
	Changes     json.RawMessage `json:"changes"`
}

// AuditEvent is a sealed event: its content, its seq and its link in the chain.
type AuditEvent struct {
	Seq int64 `json:"seq"`
	AuditEventContent
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// auditColumns are the columns pending and sealed events share.
type auditColumns struct {
	OccurredAt  time.Time `gorm:"not null"`
	API         string    `gorm:"column:api;not null"`
	OperationID string    `gorm:"not null"`
	ActorKind   string    `gorm:"not null"`
	ActorID     string    `gorm:"not null"`
	ActorIssuer string    `gorm:"not null"`
	ActorClient string    `gorm:"not null"`
	RequestID   string    `gorm:"not null"`
	Targets     string    `gorm:"not null"`
	Changes     string    `gorm:"not null"`
	// ContentDigest is the SHA-256 of the content's canonical JSON, in hex; '' for events
	// chained before migration 0011, whose hash covers the canonical JSON itself.
	ContentDigest string `gorm:"not null"`
	// undigested is, in a SQLite write group, the content whose digest ContentDigest is still
	// to receive (digestAuditEvents), its changes canonical already; nil once digested. Not
	// a column: GORM leaves unexported fields alone.
	undigested *AuditEventContent
}

type auditPendingRecord struct {
	ID      int64        `gorm:"primaryKey"`
	Columns auditColumns `gorm:"embedded"`
}

func (auditPendingRecord) TableName() string { return "audit_pending" }

type auditEventRecord struct {
	Seq      int64        `gorm:"primaryKey;autoIncrement:false"`
	Columns  auditColumns `gorm:"embedded"`
	PrevHash string       `gorm:"not null"`
	Hash     string       `gorm:"not null"`
}

func (auditEventRecord) TableName() string { return "audit_events" }

type auditChainRecord struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	LastSeq    int64  `gorm:"not null"`
	LastHash   string `gorm:"not null"`
	PrunedSeq  int64  `gorm:"not null"`
	PrunedHash string `gorm:"not null"`
}

func (auditChainRecord) TableName() string { return "audit_chain" }

// content turns stored columns back into the event's content.
func (c *auditColumns) content() (AuditEventContent, error) {
	var targets []AuditTarget
	if err := json.Unmarshal([]byte(c.Targets), &targets); err != nil {
		return AuditEventContent{}, fmt.Errorf("targets: %w", err)
	}
	if targets == nil {
		targets = []AuditTarget{}
	}
	return AuditEventContent{
		Time: c.OccurredAt.UTC(), API: c.API, OperationID: c.OperationID,
		Actor:     AuditActor{Kind: c.ActorKind, ID: c.ActorID, Issuer: c.ActorIssuer, Client: c.ActorClient},
		RequestID: c.RequestID, Targets: targets, Changes: json.RawMessage(c.Changes),
	}, nil
}

// canonicalAuditJSON is the event's content as hashed: JSON with object keys sorted at every
// level, times in UTC to the microsecond, numbers as written. It is written field by field;
// only changes that are not already in that form (canonicalChanges) are decoded and
// re-encoded, which a write's own changes never need.
func canonicalAuditJSON(c AuditEventContent) ([]byte, error) {
	changes, err := canonicalChanges(c.Changes)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	return canonicalAuditJSONWith(c, changes), nil
}

// canonicalAuditJSONWith is canonicalAuditJSON with the changes in canonical form already.
func canonicalAuditJSONWith(c AuditEventContent, changes []byte) []byte {
	// The keys of each object in sorted order.
	b := make([]byte, 0, 256+len(changes)+64*len(c.Targets))
	b = append(b, `{"actor":{"client":`...)
	b = appendJSONString(b, c.Actor.Client)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, c.Actor.ID)
	b = append(b, `,"issuer":`...)
	b = appendJSONString(b, c.Actor.Issuer)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, c.Actor.Kind)
	b = append(b, `},"api":`...)
	b = appendJSONString(b, c.API)
	b = append(b, `,"changes":`...)
	b = append(b, changes...)
	b = append(b, `,"operationId":`...)
	b = appendJSONString(b, c.OperationID)
	b = append(b, `,"requestId":`...)
	b = appendJSONString(b, c.RequestID)
	b = append(b, `,"targets":[`...)
	for i, t := range c.Targets {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, t.ID)
		b = append(b, `,"type":`...)
		b = appendJSONString(b, t.Type)
		b = append(b, '}')
	}
	b = append(b, `],"time":`...)
	b = appendJSONString(b, c.Time.UTC().Format(auditTimeLayout))
	return append(b, '}')
}

// appendJSONString appends s as encoding/json writes a string: as it is, quoted, when it is
// printable ASCII that encoding/json leaves alone (ids, names, times), else through
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || !jsonWritesAsIs(c) {
			encoded, _ := json.Marshal(s) // a string always encodes
			return append(b, encoded...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendStoredAuditTargets appends the targets column's JSON: what encoding/json writes for
// []AuditTarget, keys in declaration order (the target filter searches this text).
func appendStoredAuditTargets(b []byte, targets []AuditTarget) []byte {
	b = append(b, '[')
	for i, t := range targets {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":`...)
		b = appendJSONString(b, t.Type)
		b = append(b, `,"id":`...)
		b = appendJSONString(b, t.ID)
		b = append(b, '}')
	}
	return append(b, ']')
}

// canonicalChanges returns changes with object keys sorted at every level, as encoding/json
// writes a value decoded from them (numbers kept as written). Changes that are one compact
// value of printable ASCII with no escapes and no character encoding/json escapes, whose
// keys are already in order (what a write's own changes are), come back as they are; the
// others are decoded and re-encoded. Anything after the value is an error.
func canonicalChanges(changes []byte) ([]byte, error) {
	if plainSortedJSON(changes) {
		return changes, nil
	}
	var value any
	decoder := json.NewDecoder(bytes.NewReader(changes))
	decoder.UseNumber()
	if err := decoder.Decode(&value); err != nil {
		return nil, err
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return json.Marshal(value) // encoding/json writes a map's keys sorted
}

// jsonWritesAsIs tells whether encoding/json writes byte c of a string as it is: printable
// ASCII but the backslash and the characters it escapes for HTML (< > &). The quote is the
// callers' to tell apart: it ends a string.
func jsonWritesAsIs(c byte) bool {
	return c >= 0x20 && c <= 0x7e && c != '\\' && c != '<' && c != '>' && c != '&'
}

// plainSortedJSON tells whether b is one valid JSON value, of printable ASCII other than
// the characters encoding/json escapes (\ < > &), with no space outside strings and every
// object's keys in strictly increasing order: encoding/json would write it back byte for
// byte.
func plainSortedJSON(b []byte) bool {
	inString := false
	for _, c := range b {
		switch {
		case c == '"':
			inString = !inString
		case !jsonWritesAsIs(c):
			return false
		case c == ' ' && !inString:
			return false
		}
	}
	if !json.Valid(b) {
		return false
	}
	// Valid, and strings hold no escapes: every '"' opens or closes a string, and a
	// string right after '{' or ',' inside an object is a key.
	type level struct {
		object  bool
		lastKey []byte
		hasKey  bool
	}
	var stack []level
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			stack = append(stack, level{object: b[i] == '{'})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case '"':
			end := i + 1 + bytes.IndexByte(b[i+1:], '"')
			top := len(stack) - 1
			if top >= 0 && stack[top].object && (b[i-1] == '{' || b[i-1] == ',') {
				key := b[i+1 : end]
				if stack[top].hasKey && bytes.Compare(stack[top].lastKey, key) >= 0 {
					return false
				}
				stack[top].lastKey, stack[top].hasKey = key, true
			}
			i = end
		}
	}
	return true
}

// auditContentDigest is the SHA-256 of the content's canonical JSON.
func auditContentDigest(c AuditEventContent) ([]byte, error) {
	canonical, err := canonicalAuditJSON(c)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(canonical)
	return digest[:], nil
}

// auditLink chains an event: the SHA-256 of the previous event's hash (its 32 bytes)
// followed by the event's content digest (32 bytes), in hex. An event chained before
// migration 0011 (legacyCanonical set, digest nil) hashed its canonical JSON in the
// digest's place.
func auditLink(prevHash string, digest, legacyCanonical []byte) (string, error) {
	prev, err := hex.DecodeString(prevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("previous hash %q is not 64 hex digits", prevHash)
	}
	h := sha256.New()
	h.Write(prev)
	if digest != nil {
		h.Write(digest)
	} else {
		h.Write(legacyCanonical)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// appendAudit appends the event of the transaction's write to audit_pending. The actor,
// operation and request id come from the transaction's context. The INSERT waits in the
// Tx until the write's statement that can carry it (execCarryingAudit) or the end of the
// transaction's work (flushAudit), whichever comes first.
func (tx *Tx) appendAudit(api string, targets []AuditTarget, changes any) error {
	source := auditSourceOf(tx.db.Statement.Context)
	built, canonicalAlready := changes.(canonicalChangesJSON)
	changesJSON := []byte(built)
	if !canonicalAlready {
		var err error
		if changesJSON, err = json.Marshal(changes); err != nil {
			return fmt.Errorf("audit changes: %w", err)
		}
	}
	if len(changesJSON) > maxAuditChangesBytes {
		changesJSON, _ = json.Marshal(map[string]any{"truncated": true, "bytes": len(changesJSON)})
		canonicalAlready = false
	}
	if targets == nil {
		targets = []AuditTarget{}
	}
	content := AuditEventContent{
		Time: time.Now().UTC().Truncate(time.Microsecond), API: api, OperationID: source.OperationID,
		Actor: source.Actor, RequestID: source.RequestID, Targets: targets, Changes: json.RawMessage(changesJSON),
	}
	// Checked here, so that digesting the event cannot fail later, past its write.
	if !canonicalAlready {
		canonical, err := canonicalChanges(changesJSON)
		if err != nil {
			return fmt.Errorf("audit changes: %w", err)
		}
		content.Changes = canonical
	}
	if err := tx.flushAudit(); err != nil { // a second event of the same work
		return err
	}
	tx.auditQueued = &auditColumns{
		OccurredAt: content.Time, API: api, OperationID: source.OperationID,
		ActorKind: source.Actor.Kind, ActorID: source.Actor.ID, ActorIssuer: source.Actor.Issuer, ActorClient: source.Actor.Client,
		RequestID: source.RequestID, Targets: string(appendStoredAuditTargets(nil, targets)), Changes: string(changesJSON),
		undigested: &content,
	}
	if tx.group == nil {
		tx.auditQueued.digest()
	}
	// In a SQLite write group the write digests its events once it has passed the writer on
	// (writeGroups.endTurn): hashing off the one writer's path, which every write waits for.
	return nil
}

// canonicalChangesJSON is an event's changes as their writer built them, in canonical form
// already (its test checks that they are): appendAudit takes them as they are, saving the
// hottest write the check every other write's changes get.
type canonicalChangesJSON []byte

// digest gives the event its content digest, if it lacks it.
func (e *auditColumns) digest() {
	if c := e.undigested; c != nil {
		digest := sha256.Sum256(canonicalAuditJSONWith(*c, c.Changes))
		e.ContentDigest, e.undigested = hex.EncodeToString(digest[:]), nil
	}
}

// digestAuditEvents gives the events that lack it their content digest.
func digestAuditEvents(events []*auditColumns) {
	for _, e := range events {
		e.digest()
	}
}

// auditInsert is the statement appending an event to audit_pending, and its values.
func auditInsert(c *auditColumns) (string, []any) {
	return `INSERT INTO audit_pending (occurred_at, api, operation_id, actor_kind, actor_id, actor_issuer,
	actor_client, request_id, targets, changes, content_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		[]any{c.OccurredAt, c.API, c.OperationID, c.ActorKind, c.ActorID, c.ActorIssuer,
			c.ActorClient, c.RequestID, c.Targets, c.Changes, c.ContentDigest}
}

// flushAudit writes the event appendAudit left waiting, if any: to audit_pending, or in a
// SQLite write group to the group's events, chained at its COMMIT (sealGroupEvents).
func (tx *Tx) flushAudit() error {
	if tx.auditQueued == nil {
		return nil
	}
	if tx.group != nil {
		tx.group.events = append(tx.group.events, tx.auditQueued)
		tx.auditQueued, tx.auditWritten = nil, true
		return nil
	}
	statement, values := auditInsert(tx.auditQueued)
	tx.auditQueued, tx.auditWritten = nil, true
	return tx.db.Exec(statement, values...).Error
}

// execCarryingAudit runs a write statement (INSERT, UPDATE or DELETE) and returns the rows
// it affected. On PostgreSQL the event appendAudit left waiting rides on it, as a
// data-modifying WITH: one round trip for both, and PostgreSQL runs both or neither.
func (tx *Tx) execCarryingAudit(statement string, values ...any) (int64, error) {
	if tx.auditQueued != nil && tx.dialect == Postgres {
		auditStatement, auditValues := auditInsert(tx.auditQueued)
		tx.auditQueued, tx.auditWritten = nil, true
		statement, values = "WITH audit_append AS ("+auditStatement+") "+statement, append(auditValues, values...)
	} else if err := tx.flushAudit(); err != nil {
		return 0, err
	}
	result := tx.db.Exec(statement, values...)
	return result.RowsAffected, result.Error
}

// SealAuditEvents moves committed pending events into the chain, in batches, and returns how
// many it sealed. Safe to run from any number of goroutines and instances at once.
func (s *Store) SealAuditEvents(ctx context.Context) (int, error) {
	total := 0
	for {
		// Nothing pending: no transaction, no lock (serve asks every 200 ms). Inside a shared
		// transaction the probe would not see that transaction's own events: seal there, if
		// it wrote any (the head's lock is then held until the shared transaction ends);
		// else leave the others' events to the other sealers.
		if shared := s.sharedTransactionOf(ctx); shared != nil {
			if !shared.auditWritten {
				return total, nil
			}
		} else {
			var first []int64
			if err := s.db.WithContext(ctx).Model(&auditPendingRecord{}).Limit(1).Pluck("id", &first).Error; err != nil {
				return total, availability(ctx, err)
			}
			if len(first) == 0 {
				return total, nil
			}
		}
		sealed := 0
		err := s.Transaction(ctx, func(tx *Tx) error {
			// In a shared transaction, the events its write group holds come first.
			if err := tx.sealGroupEvents(); err != nil {
				return err
			}
			var err error
			sealed, err = tx.sealBatch()
			return err
		})
		if err != nil {
			return total, err
		}
		total += sealed
		if sealed < auditSealBatch {
			return total, nil
		}
	}
}

// lockAuditHead reads the chain's head, locking it until the transaction ends (SQLite's
// immediate transactions hold the database's write lock already).
func (tx *Tx) lockAuditHead() (auditChainRecord, error) {
	var head auditChainRecord
	query := tx.db.Where("id = 1")
	if tx.dialect == Postgres {
		query = query.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	if err := query.Take(&head).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return head, fmt.Errorf("audit chain head missing")
		}
		return head, err
	}
	return head, nil
}

// pendingDigest is what the sealer reads of a pending event.
type pendingDigest struct {
	ID            int64
	ContentDigest string
}

// sealBatch seals up to auditSealBatch pending events under the head's lock. It reads each
// event's id and content digest only, and copies the rows into audit_events inside the
// database.
func (tx *Tx) sealBatch() (int, error) {
	head, err := tx.lockAuditHead()
	if err != nil {
		return 0, err
	}
	// Read after the lock: on PostgreSQL this statement's snapshot sees every event
	// committed before the previous sealer released the head, and none it sealed.
	var pending []pendingDigest
	err = tx.db.Model(&auditPendingRecord{}).Select("id, content_digest").Order("id").Limit(auditSealBatch).Scan(&pending).Error
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	if err := tx.digestLegacyPending(pending); err != nil {
		return 0, err
	}
	links := make([]auditSealLink, len(pending))
	seq, prev := head.LastSeq, head.LastHash
	for i, p := range pending {
		hash, err := auditLinkDigest(prev, p.ContentDigest)
		if err != nil {
			return 0, fmt.Errorf("pending audit event %d: %w", p.ID, err)
		}
		seq++
		links[i] = auditSealLink{id: p.ID, seq: seq, contentDigest: p.ContentDigest, prevHash: prev, hash: hash}
		prev = hash
	}
	moved, err := tx.moveSealed(links)
	if err != nil {
		return 0, err
	}
	if moved != int64(len(pending)) {
		return 0, fmt.Errorf("sealing %d pending audit events moved %d", len(pending), moved)
	}
	err = tx.db.Model(&auditChainRecord{}).Where("id = 1").
		Updates(map[string]any{"last_seq": seq, "last_hash": prev}).Error
	return len(pending), err
}

// auditSealLink is a pending event's place in the chain, as sealBatch computed it.
type auditSealLink struct {
	id, seq                       int64
	contentDigest, prevHash, hash string // hex
}

// auditEventsFromPending is the INSERT … SELECT that copies pending events (p) into
// audit_events with their links (sealed), both named by the statement that uses it.
const auditEventsFromPending = `INSERT INTO audit_events (seq, occurred_at, api, operation_id, actor_kind, actor_id, actor_issuer, actor_client,
	request_id, targets, changes, content_digest, prev_hash, hash)
SELECT sealed.seq, p.occurred_at, p.api, p.operation_id, p.actor_kind, p.actor_id, p.actor_issuer, p.actor_client,
	p.request_id, p.targets, p.changes, sealed.content_digest, sealed.prev_hash, sealed.hash`

// moveSealed moves the linked pending events into audit_events and returns how many it
// moved. On PostgreSQL one statement deletes them from audit_pending and inserts them, the
// links passed as five arrays: its text never changes, so PostgreSQL keeps one plan of it.
// On SQLite (a release's leftovers only: its write groups chain their own events) a copy
// and a range delete: this transaction holds the one writer, so no event became pending
// since the read, and those up to the last one read (in id order) are exactly those sealed.
func (tx *Tx) moveSealed(links []auditSealLink) (int64, error) {
	if tx.dialect == Postgres {
		ids, seqs := make([]string, len(links)), make([]string, len(links))
		digests, prevs, hashes := make([]string, len(links)), make([]string, len(links)), make([]string, len(links))
		for i, l := range links {
			ids[i], seqs[i] = strconv.FormatInt(l.id, 10), strconv.FormatInt(l.seq, 10)
			digests[i], prevs[i], hashes[i] = l.contentDigest, l.prevHash, l.hash
		}
		// Array literals: the elements are decimal or hex digits, nothing to quote.
		array := func(elements []string) string { return "{" + strings.Join(elements, ",") + "}" }
		result := tx.db.Exec(`WITH sealed (id, seq, content_digest, prev_hash, hash) AS (
	SELECT * FROM unnest(CAST(CAST(? AS TEXT) AS BIGINT[]), CAST(CAST(? AS TEXT) AS BIGINT[]),
		CAST(CAST(? AS TEXT) AS TEXT[]), CAST(CAST(? AS TEXT) AS TEXT[]), CAST(CAST(? AS TEXT) AS TEXT[]))
), p AS (
	DELETE FROM audit_pending USING sealed WHERE audit_pending.id = sealed.id RETURNING audit_pending.*
)
`+auditEventsFromPending+`
FROM sealed JOIN p ON p.id = sealed.id`, array(ids), array(seqs), array(digests), array(prevs), array(hashes))
		return result.RowsAffected, result.Error
	}
	rows := make([]string, len(links))
	values := make([]any, 0, 5*len(links))
	for i, l := range links {
		rows[i] = "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?)"
		values = append(values, l.id, l.seq, l.contentDigest, l.prevHash, l.hash)
	}
	copied := tx.db.Exec(`WITH sealed (id, seq, content_digest, prev_hash, hash) AS (VALUES `+strings.Join(rows, ", ")+`)
`+auditEventsFromPending+`
FROM sealed JOIN audit_pending p ON p.id = sealed.id`, values...)
	if copied.Error != nil {
		return 0, copied.Error
	}
	err := tx.db.Where("id <= ?", links[len(links)-1].id).Delete(&auditPendingRecord{}).Error
	return copied.RowsAffected, err
}

// auditLinkDigest chains an event by its content digest in hex (auditLink).
func auditLinkDigest(prevHash, contentDigest string) (string, error) {
	digest, err := hex.DecodeString(contentDigest)
	if err != nil || len(digest) != sha256.Size {
		return "", fmt.Errorf("content digest %q is not 64 hex digits", contentDigest)
	}
	return auditLink(prevHash, digest, nil)
}

// auditGroupSealRows bounds the events one INSERT of sealGroupEvents writes (14 values each,
// far under SQLite's 32,766).
const auditGroupSealRows = 64

// execPastGORM and queryRowPastGORM run a statement of a SQLite write group's own (its audit
// chaining, at every COMMIT) on tx's connection as it is: GORM's building of it, its 14
// values an event, cost a tenth of the group's transaction (BenchmarkChainGroupEvents). The
// statement observers are told of it, as GORM's callbacks tell them the others.
func (tx *Tx) execPastGORM(statement string, values ...any) error {
	_, err := tx.db.Statement.ConnPool.ExecContext(tx.db.Statement.Context, statement, values...)
	tx.group.observed(statement)
	return err
}

func (tx *Tx) queryRowPastGORM(statement string) *sql.Row {
	row := tx.db.Statement.ConnPool.QueryRowContext(tx.db.Statement.Context, statement)
	tx.group.observed(statement)
	return row
}

// sealGroupEvents chains into audit_events, in their order, the events of tx's SQLite write
// group not chained yet: at the group's COMMIT, or before a read of the trail inside a
// shared transaction. Events written to audit_pending by writes outside groups (an earlier
// release's) are chained first, so that seq keeps the order of the COMMITs. The group holds
// the one writer (and the database's write lock), so the head needs no lock of its own; three
// statements for the whole group, where each write used to insert a pending row and the
// sealer to copy and delete it.
func (tx *Tx) sealGroupEvents() error {
	group := tx.group
	if group == nil || group.sealed == len(group.events) {
		return nil
	}
	// The events of the group's earlier writes are digested by those writes, past their
	// turn; those of the write holding the turn (sealing before a read of the trail), here.
	group.digesting.Wait()
	digestAuditEvents(group.events[group.sealed:])
	var head struct {
		LastSeq  int64
		LastHash string
		Pending  bool
	}
	readHead := func() error {
		return tx.queryRowPastGORM(`SELECT last_seq, last_hash, EXISTS (SELECT 1 FROM audit_pending) AS pending
FROM audit_chain WHERE id = 1`).Scan(&head.LastSeq, &head.LastHash, &head.Pending)
	}
	if err := readHead(); err != nil {
		return err
	}
	for head.Pending {
		if _, err := tx.sealBatch(); err != nil {
			return err
		}
		if err := readHead(); err != nil {
			return err
		}
	}
	if head.LastHash == "" {
		return fmt.Errorf("audit chain head missing")
	}
	seq, prev := head.LastSeq, head.LastHash
	for events := group.events[group.sealed:]; len(events) > 0; {
		chunk := events[:min(len(events), auditGroupSealRows)]
		events = events[len(chunk):]
		rows := make([]string, len(chunk))
		values := make([]any, 0, 14*len(chunk))
		for i, e := range chunk {
			hash, err := auditLinkDigest(prev, e.ContentDigest)
			if err != nil {
				return fmt.Errorf("audit event of request %s: %w", e.RequestID, err)
			}
			seq++
			rows[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			values = append(values, seq, e.OccurredAt, e.API, e.OperationID, e.ActorKind, e.ActorID, e.ActorIssuer,
				e.ActorClient, e.RequestID, e.Targets, e.Changes, e.ContentDigest, prev, hash)
			prev = hash
		}
		err := tx.execPastGORM(`INSERT INTO audit_events (seq, occurred_at, api, operation_id, actor_kind, actor_id, actor_issuer,
	actor_client, request_id, targets, changes, content_digest, prev_hash, hash) VALUES `+strings.Join(rows, ", "), values...)
		if err != nil {
			return err
		}
	}
	if err := tx.execPastGORM("UPDATE audit_chain SET last_seq = ?, last_hash = ? WHERE id = 1", seq, prev); err != nil {
		return err
	}
	group.sealed = len(group.events)
	return nil
}

// digestLegacyPending fills in the content digest of pending events appended by an
// instance that predates migration 0011 (an empty content_digest), from their content.
func (tx *Tx) digestLegacyPending(pending []pendingDigest) error {
	at := map[int64]int{}
	for i, p := range pending {
		if p.ContentDigest == "" {
			at[p.ID] = i
		}
	}
	if len(at) == 0 {
		return nil
	}
	var legacy []auditPendingRecord
	if err := tx.db.Where("id IN ?", slices.Collect(maps.Keys(at))).Find(&legacy).Error; err != nil {
		return err
	}
	for _, r := range legacy {
		content, err := r.Columns.content()
		if err != nil {
			return fmt.Errorf("pending audit event %d: %w", r.ID, err)
		}
		digest, err := auditContentDigest(content)
		if err != nil {
			return fmt.Errorf("pending audit event %d: %w", r.ID, err)
		}
		pending[at[r.ID]].ContentDigest = hex.EncodeToString(digest)
	}
	return nil
}

// AuditQuery selects events; zero fields select everything.
type AuditQuery struct {
	API         string
	OperationID string
	// Actor matches the actor's id.
	Actor string
	// TargetType (optional) and TargetID match one of the event's targets.
	TargetType, TargetID string
	// AnyTarget, when not empty, keeps the events one of whose targets is one of these
	// (type and id): one condition per target, OR'ed, each needle a bound value.
	AnyTarget []AuditTarget
	// From (inclusive) and To (exclusive) bound the event's time.
	From, To time.Time
	// After selects the events after this seq.
	After int64
	// Limit bounds the page; zero means no bound.
	Limit int
}

// AuditEvents reads sealed events in seq order. Callers seal first (Store.AuditEvents does).
func (tx *Tx) AuditEvents(q AuditQuery) ([]AuditEvent, error) {
	query := tx.db.Model(&auditEventRecord{}).Where("seq > ?", q.After).Order("seq")
	if q.API != "" {
		query = query.Where("api = ?", q.API)
	}
	if q.OperationID != "" {
		query = query.Where("operation_id = ?", q.OperationID)
	}
	if q.Actor != "" {
		query = query.Where("actor_id = ?", q.Actor)
	}
	// The targets column is the JSON of []AuditTarget: a target is the text
	// {"type":…,"id":…}, found exactly (case and all) by strpos/instr.
	search := "instr(targets, ?) > 0"
	if tx.dialect == Postgres {
		search = "strpos(targets, ?) > 0"
	}
	if q.TargetID != "" {
		query = query.Where(search, auditTargetNeedle(q.TargetType, q.TargetID))
	}
	if len(q.AnyTarget) > 0 {
		conditions := make([]string, len(q.AnyTarget))
		needles := make([]any, len(q.AnyTarget))
		for i, t := range q.AnyTarget {
			conditions[i] = search
			needles[i] = auditTargetNeedle(t.Type, t.ID)
		}
		query = query.Where("("+strings.Join(conditions, " OR ")+")", needles...)
	}
	if !q.From.IsZero() {
		query = query.Where(tx.auditTimeCondition(">=", q.From))
	}
	if !q.To.IsZero() {
		query = query.Where(tx.auditTimeCondition("<", q.To))
	}
	if q.Limit > 0 {
		query = query.Limit(q.Limit)
	}
	var records []auditEventRecord
	if err := query.Find(&records).Error; err != nil {
		return nil, err
	}
	events := make([]AuditEvent, len(records))
	for i, r := range records {
		content, err := r.Columns.content()
		if err != nil {
			return nil, fmt.Errorf("audit event %d: %w", r.Seq, err)
		}
		events[i] = AuditEvent{Seq: r.Seq, AuditEventContent: content, PrevHash: r.PrevHash, Hash: r.Hash}
	}
	return events, nil
}

// auditTargetNeedle is the text of a target (of any type when targetType is "") in the
// targets column.
func auditTargetNeedle(targetType, id string) string {
	quotedID, _ := json.Marshal(id)
	needle := `"id":` + string(quotedID) + `}`
	if targetType != "" {
		kind, _ := json.Marshal(targetType)
		needle = `{"type":` + string(kind) + `,` + needle
	}
	return needle
}

// AuditEvents seals pending events, then reads a page of the selection.
func (s *Store) AuditEvents(ctx context.Context, q AuditQuery) ([]AuditEvent, error) {
	if _, err := s.SealAuditEvents(ctx); err != nil {
		return nil, err
	}
	var events []AuditEvent
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		events, err = tx.AuditEvents(q)
		return err
	})
	return events, err
}

// EachAuditEvent seals pending events, then calls fn with every event of the selection, in
// seq order, reading auditReadBatch events at a time, each batch in a read-only transaction
// of its own (a long export holds no snapshot): memory stays bounded however many there are.
// q.Limit is not read: the walk covers the whole selection. fn's error stops the walk and is
// returned.
func (s *Store) EachAuditEvent(ctx context.Context, q AuditQuery, fn func(AuditEvent) error) error {
	if _, err := s.SealAuditEvents(ctx); err != nil {
		return err
	}
	read := func(q AuditQuery) (events []AuditEvent, err error) {
		err = s.View(ctx, func(tx *Tx) error {
			events, err = tx.AuditEvents(q)
			return err
		})
		return events, err
	}
	return walkAuditEvents(q, read, func(e *AuditEvent) error { return fn(*e) })
}

// walkAuditEvents calls fn with every event of the selection q, in seq order, read
// auditReadBatch at a time by read. fn's error stops the walk and is returned.
func walkAuditEvents(q AuditQuery, read func(AuditQuery) ([]AuditEvent, error), fn func(*AuditEvent) error) error {
	q.Limit = auditReadBatch
	for {
		events, err := read(q)
		if err != nil {
			return err
		}
		for i := range events {
			if err := fn(&events[i]); err != nil {
				return err
			}
		}
		if len(events) < q.Limit {
			return nil
		}
		q.After = events[len(events)-1].Seq
	}
}

// auditTargets lists targets of one type.
func auditTargets(targetType string, ids ...string) []AuditTarget {
	targets := make([]AuditTarget, len(ids))
	for i, id := range ids {
		targets[i] = AuditTarget{Type: targetType, ID: id}
	}
	return targets
}

// sortedCopy returns a sorted copy without repeats.
func sortedCopy[T interface{ ~string | ~int64 }](values []T) []T {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

// AuditHead seals pending events and returns the seq of the chain's last event (0 when none).
func (s *Store) AuditHead(ctx context.Context) (int64, error) {
	if _, err := s.SealAuditEvents(ctx); err != nil {
		return 0, err
	}
	head, err := s.auditHeadRecord(ctx)
	return head.LastSeq, err
}

// auditHeadRecord reads the chain's head without locking it.
func (s *Store) auditHeadRecord(ctx context.Context) (auditChainRecord, error) {
	var head auditChainRecord
	if err := s.db.WithContext(ctx).Take(&head, "id = 1").Error; err != nil {
		return head, availability(ctx, err)
	}
	return head, nil
}
