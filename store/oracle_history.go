package store

// Oracle's SelfServiceRolesHistory, read from the audit trail: every Oracle role write
// appends one event (AuditOracleRole, AuditOracleRolesEnding) whose targets name the role's
// user, so the user's history is the user's Oracle events, one entry per role an event
// touched. An event holds only what changed; each entry shows the whole role as it was
// right after its event, found by walking the events backwards from the role as it is now,
// undoing each change with its "before" values.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The actions of history entries.
const (
	OracleHistoryCreated = "CREATED"
	OracleHistoryUpdated = "UPDATED"
	OracleHistoryEnded   = "ENDED"
)

// OracleRoleHistoryEntry is one change of one role: the role right after it, what the
// change set, who made it and when.
type OracleRoleHistoryEntry struct {
	Seq    int64 // the audit event's
	RoleID int64
	UserID int64

	AccountPartyID     int64
	RelationshipTypeCd string
	RequestTypeCd      *string
	RegistrationID     *int64
	StartDate          time.Time
	EndDate            *time.Time

	Action            string
	ChangedAttributes []string // sorted
	Actor             AuditActor
	Time              time.Time
}

// HistoryID is the entry's id: the event's seq and the role's id, joined by "-".
func (e *OracleRoleHistoryEntry) HistoryID() string {
	return strconv.FormatInt(e.Seq, 10) + "-" + strconv.FormatInt(e.RoleID, 10)
}

// oracleRoleState is what the history shows of a role.
type oracleRoleState struct {
	AccountPartyID     int64
	RelationshipTypeCd string
	RequestTypeCd      *string
	RegistrationID     *int64
	StartDate          time.Time
	EndDate            *time.Time
}

// rawChange is an event's change with its values undecoded.
type rawChange struct {
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// undo sets attribute name of the state to the value before the change.
func (s *oracleRoleState) undo(name string, before json.RawMessage) error {
	null := len(before) == 0 || bytes.Equal(before, []byte("null"))
	var err error
	switch name {
	case "AccountPartyId":
		s.AccountPartyID = 0
		if !null {
			err = json.Unmarshal(before, &s.AccountPartyID)
		}
	case "RelationshipTypeCd":
		s.RelationshipTypeCd = ""
		if !null {
			err = json.Unmarshal(before, &s.RelationshipTypeCd)
		}
	case "RequestTypeCd":
		s.RequestTypeCd = nil
		if !null {
			err = json.Unmarshal(before, &s.RequestTypeCd)
		}
	case "RegistrationId":
		s.RegistrationID = nil
		if !null {
			err = json.Unmarshal(before, &s.RegistrationID)
		}
	case "StartDate":
		s.StartDate = time.Time{}
		if !null {
			s.StartDate, err = parseAuditTime(before)
		}
	case "EndDate":
		s.EndDate = nil
		if !null {
			var end time.Time
			end, err = parseAuditTime(before)
			s.EndDate = &end
		}
	}
	return err
}

func parseAuditTime(raw json.RawMessage) (time.Time, error) {
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339, text)
}

// historyChange is one role's part of an event.
type historyChange struct {
	roleID  int64
	action  string
	changed map[string]rawChange
}

// roleChangesOf splits an Oracle event into the roles it changed: a role write
// (attribute → change, about its one oracleRole target) or an ending ("<roleId>.EndDate").
func roleChangesOf(e *AuditEvent) ([]historyChange, error) {
	var changes map[string]rawChange
	if err := json.Unmarshal(e.Changes, &changes); err != nil {
		return nil, fmt.Errorf("audit event %d: changes: %w", e.Seq, err)
	}
	var ended []historyChange
	attributes := map[string]rawChange{}
	for key, change := range changes {
		if id, attribute, ok := strings.Cut(key, "."); ok {
			roleID, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("audit event %d: change %q", e.Seq, key)
			}
			ended = append(ended, historyChange{roleID: roleID, action: OracleHistoryEnded, changed: map[string]rawChange{attribute: change}})
			continue
		}
		if bytes.Equal(change.Before, change.After) {
			continue // a new role's attribute that is still absent: nothing set
		}
		attributes[key] = change
	}
	if len(ended) > 0 {
		slices.SortFunc(ended, func(a, b historyChange) int { return cmp.Compare(a.roleID, b.roleID) })
		return ended, nil
	}
	var roleID int64
	for _, t := range e.Targets {
		if t.Type == AuditTargetOracleRole {
			id, err := strconv.ParseInt(t.ID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("audit event %d: role target %q", e.Seq, t.ID)
			}
			roleID = id
		}
	}
	if roleID == 0 {
		return nil, nil
	}
	action := OracleHistoryUpdated
	if start, ok := attributes["StartDate"]; ok && (len(start.Before) == 0 || bytes.Equal(start.Before, []byte("null"))) {
		action = OracleHistoryCreated
	}
	return []historyChange{{roleID: roleID, action: action, changed: attributes}}, nil
}

// OracleRoleHistory lists the history of the user's roles, in (seq, role) order: the
// user's sealed Oracle events, read auditReadBatch at a time. Callers seal first.
func (tx *Tx) OracleRoleHistory(userID int64) ([]OracleRoleHistoryEntry, error) {
	histories, err := tx.OracleRoleHistories([]int64{userID})
	if err != nil {
		return nil, err
	}
	return histories[userID], nil
}

// OracleRoleHistories lists the histories of several users' roles, by user, each as
// OracleRoleHistory lists it (a user without one has none in the map), in a number of
// statements that does not grow with the number of users: one for the users' roles, and
// one per auditReadBatch of their Oracle events (any of the users as a target). Callers
// seal first.
func (tx *Tx) OracleRoleHistories(userIDs []int64) (map[int64][]OracleRoleHistoryEntry, error) {
	histories := make(map[int64][]OracleRoleHistoryEntry, len(userIDs))
	userIDs = sortedCopy(userIDs)
	if len(userIDs) == 0 {
		return histories, nil
	}
	var roles []OracleSelfServiceRole
	if err := tx.db.Where("user_id IN ?", userIDs).Order("role_id").Find(&roles).Error; err != nil {
		return nil, err
	}
	rolesOf := make(map[int64][]OracleSelfServiceRole, len(userIDs))
	for _, r := range roles {
		rolesOf[r.UserID] = append(rolesOf[r.UserID], r)
	}
	users := make(map[string]int64, len(userIDs))
	query := AuditQuery{API: AuditAPIOracle}
	for _, id := range userIDs {
		users[formatAuditID(id)] = id
		query.AnyTarget = append(query.AnyTarget, AuditTarget{Type: AuditTargetOracleUser, ID: formatAuditID(id)})
	}
	// Each user's events, in seq order: an event naming several of the users is each one's.
	eventsOf := make(map[int64][]*AuditEvent, len(userIDs))
	err := walkAuditEvents(query, tx.AuditEvents, func(e *AuditEvent) error {
		for _, t := range e.Targets {
			id, ok := users[t.ID]
			if !ok || t.Type != AuditTargetOracleUser {
				continue
			}
			// Once per event, however often it names the user.
			if n := len(eventsOf[id]); n == 0 || eventsOf[id][n-1] != e {
				eventsOf[id] = append(eventsOf[id], e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range userIDs {
		entries, err := roleHistoryOf(id, rolesOf[id], eventsOf[id])
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			histories[id] = entries
		}
	}
	return histories, nil
}

// roleHistoryOf works out a user's history from the user's roles as they are now and the
// user's events in seq order: walking the events newest first, each entry is the role's
// state now, less the changes made after it; the entries come back in seq order.
func roleHistoryOf(userID int64, roles []OracleSelfServiceRole, events []*AuditEvent) ([]OracleRoleHistoryEntry, error) {
	states := make(map[int64]*oracleRoleState, len(roles))
	for _, r := range roles {
		states[r.RoleID] = &oracleRoleState{
			AccountPartyID: r.AccountPartyID, RelationshipTypeCd: r.RelationshipTypeCd,
			RequestTypeCd: r.RequestTypeCd, RegistrationID: r.RegistrationID,
			StartDate: r.StartDate.UTC(), EndDate: r.EndDate,
		}
	}
	var entries []OracleRoleHistoryEntry
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		changes, err := roleChangesOf(e)
		if err != nil {
			return nil, err
		}
		for j := len(changes) - 1; j >= 0; j-- {
			c := changes[j]
			state, ok := states[c.roleID]
			if !ok {
				continue // not a role of this user
			}
			names := make([]string, 0, len(c.changed))
			for name := range c.changed {
				names = append(names, name)
			}
			slices.Sort(names)
			entries = append(entries, OracleRoleHistoryEntry{
				Seq: e.Seq, RoleID: c.roleID, UserID: userID,
				AccountPartyID: state.AccountPartyID, RelationshipTypeCd: state.RelationshipTypeCd,
				RequestTypeCd: state.RequestTypeCd, RegistrationID: state.RegistrationID,
				StartDate: state.StartDate, EndDate: state.EndDate,
				Action: c.action, ChangedAttributes: names, Actor: e.Actor, Time: e.Time,
			})
			for _, name := range names {
				if err := state.undo(name, c.changed[name].Before); err != nil {
					return nil, fmt.Errorf("audit event %d: %s: %w", e.Seq, name, err)
				}
			}
		}
	}
	slices.Reverse(entries)
	return entries, nil
}

// CreatedBy is who made the change as the history shows it: the actor's id, its first 64
// characters (the attribute's length, as the roles' who-columns).
func (e *OracleRoleHistoryEntry) CreatedBy() string {
	if id := []rune(e.Actor.ID); len(id) > 64 {
		return string(id[:64])
	}
	return e.Actor.ID
}

// OracleHistoryField is a column a q filter over the history may name (see
// FilterOracleRoleHistory).
type OracleHistoryField string

// The history's columns.
const (
	OracleHistoryID                 OracleHistoryField = "h.history_id"
	OracleHistoryRoleID             OracleHistoryField = "h.role_id"
	OracleHistoryUserID             OracleHistoryField = "h.user_id"
	OracleHistoryAccountPartyID     OracleHistoryField = "h.account_party_id"
	OracleHistoryRelationshipTypeCd OracleHistoryField = "h.relationship_type_cd"
	OracleHistoryRequestTypeCd      OracleHistoryField = "h.request_type_cd"
	OracleHistoryRegistrationID     OracleHistoryField = "h.registration_id"
	OracleHistoryStartDate          OracleHistoryField = "h.start_date"
	OracleHistoryEndDate            OracleHistoryField = "h.end_date"
	OracleHistoryActionCode         OracleHistoryField = "h.action_code"
	OracleHistoryChangedAttributes  OracleHistoryField = "h.changed_attributes"
	OracleHistoryCreatedBy          OracleHistoryField = "h.created_by"
	OracleHistoryCreationDate       OracleHistoryField = "h.creation_date"
)

// historyFilterBatch bounds the entries of one filtering statement (14 bound values each,
// well under SQLite's and PostgreSQL's limits on bound values).
const historyFilterBatch = 500

// FilterOracleRoleHistory keeps, in order, the entries a q filter matches. The history is
// not a table (it is worked out from the audit trail), so the entries are handed to the
// database as a VALUES list, every value bound, and the filter — the server's SQL naming
// only the columns above, with q's values bound — selects among them: q means exactly
// what it means on the roles, in both dialects.
func (tx *Tx) FilterOracleRoleHistory(entries []OracleRoleHistoryEntry, filter *OracleFilter) ([]OracleRoleHistoryEntry, error) {
	if filter == nil {
		return entries, nil
	}
	var kept []OracleRoleHistoryEntry
	for start := 0; start < len(entries); start += historyFilterBatch {
		batch := entries[start:min(start+historyFilterBatch, len(entries))]
		sql, args := tx.historyValues(start, batch)
		sql += " SELECT i FROM h WHERE (" + filter.SQL + ") ORDER BY i"
		args = append(args, filter.Args...)
		var matched []int64
		if err := tx.db.Raw(sql, args...).Scan(&matched).Error; err != nil {
			return nil, err
		}
		for _, i := range matched {
			kept = append(kept, entries[i])
		}
	}
	return kept, nil
}

// historyValues writes WITH h(...) AS (VALUES ...) over the entries, numbered from first,
// each value bound and cast to its column's type. Times are text SQLite's unixepoch reads
// on SQLite (as the filter compares them there), timestamps on PostgreSQL.
func (tx *Tx) historyValues(first int, entries []OracleRoleHistoryEntry) (string, []any) {
	integer, text, instant := "CAST(? AS INTEGER)", "CAST(? AS TEXT)", "CAST(? AS TEXT)"
	if tx.dialect == Postgres {
		integer, instant = "CAST(? AS BIGINT)", "CAST(? AS TIMESTAMPTZ)"
	}
	timeValue := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		if tx.dialect == Postgres {
			return t.UTC()
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	row := "(" + strings.Join([]string{integer, text, integer, integer, integer, text, text, integer,
		instant, instant, text, text, text, instant}, ", ") + ")"
	var b strings.Builder
	b.WriteString("WITH h (i, history_id, role_id, user_id, account_party_id, relationship_type_cd, request_type_cd, " +
		"registration_id, start_date, end_date, action_code, changed_attributes, created_by, creation_date) AS (VALUES ")
	args := make([]any, 0, len(entries)*14)
	for n, e := range entries {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		var requestType, registration any
		if e.RequestTypeCd != nil {
			requestType = *e.RequestTypeCd
		}
		if e.RegistrationID != nil {
			registration = *e.RegistrationID
		}
		start := &e.StartDate
		if e.StartDate.IsZero() {
			start = nil
		}
		args = append(args, int64(first+n), e.HistoryID(), e.RoleID, e.UserID, e.AccountPartyID,
			e.RelationshipTypeCd, requestType, registration, timeValue(start), timeValue(e.EndDate),
			e.Action, strings.Join(e.ChangedAttributes, ","), e.CreatedBy(), timeValue(&e.Time))
	}
	b.WriteString(")")
	return b.String(), args
}
