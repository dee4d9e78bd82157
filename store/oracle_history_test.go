package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestFilterOracleRoleHistoryInBatches: a history longer than one statement's batch is
// filtered whole, in order, NULLs and times included.
func TestFilterOracleRoleHistoryInBatches(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		base := time.Date(2026, 11, 23, 1, 20, 8, 0, time.UTC)
		entries := make([]store.OracleRoleHistoryEntry, 1203)
		for i := range entries {
			e := &entries[i]
			e.Seq, e.RoleID, e.UserID, e.AccountPartyID = int64(i+1), int64(i%7+1), 100, 300100000000001
			e.RelationshipTypeCd, e.Action, e.ChangedAttributes = "ORA_CSS_USER", store.OracleHistoryUpdated, []string{"RequestTypeCd"}
			e.StartDate, e.Time = base, base.Add(time.Duration(i)*time.Hour)
			e.Actor = store.AuditActor{Kind: "user", ID: "css-admin"}
			if i%2 == 0 {
				end := base.Add(time.Duration(i) * time.Hour)
				e.EndDate = &end
			}
		}
		for _, tc := range []struct {
			name   string
			filter *store.OracleFilter
			want   func(i int) bool
		}{
			{"none", nil, func(int) bool { return true }},
			{"a number", &store.OracleFilter{SQL: "h.role_id = ?", Args: []any{int64(3)}}, func(i int) bool { return i%7+1 == 3 }},
			{"absent", &store.OracleFilter{SQL: "h.end_date IS NULL AND h.request_type_cd IS NULL", Args: nil}, func(i int) bool { return i%2 == 1 }},
			{"text", &store.OracleFilter{SQL: "h.history_id = ?", Args: []any{"1000-6"}}, func(i int) bool { return i == 999 }},
		} {
			var got []store.OracleRoleHistoryEntry
			err := s.View(context.Background(), func(tx *store.Tx) error {
				var err error
				got, err = tx.FilterOracleRoleHistory(entries, tc.filter)
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var want []int64
			for i := range entries {
				if tc.want(i) {
					want = append(want, entries[i].Seq)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d entries, want %d", tc.name, len(got), len(want))
			}
			for i := range got {
				if got[i].Seq != want[i] {
					t.Fatalf("%s: entry %d is seq %d, want %d", tc.name, i, got[i].Seq, want[i])
				}
			}
		}
	})
}

// TestOracleRoleHistoriesOfSeveralUsers: the histories of several users read together are
// each what the user's own history is: users 10, 100 and 1000 (whose ids contain one
// another's) get only their own events, a history longer than a read batch is whole, a user
// without events has none, and a user named twice is read once.
func TestOracleRoleHistoriesOfSeveralUsers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fixture, err := store.ParseFixture([]byte(`oracle:
  lookups:
    ORA_SVC_CSS_REL_TYPE_CD: [{code: ORA_CSS_USER, meaning: User}]
    ORA_SVC_CSS_REQ_TYPE_CD: [{code: B2B, meaning: B2B}, {code: B2C, meaning: B2C}]
  accounts: [{partyId: 1, name: Acme, partyNumber: A1}]
  contacts:
    - {partyId: 11, name: Ten, partyNumber: C10, accounts: [1]}
    - {partyId: 12, name: Hundred, partyNumber: C100, accounts: [1]}
    - {partyId: 13, name: Thousand, partyNumber: C1000, accounts: [1]}
    - {partyId: 14, name: None, partyNumber: C999, accounts: [1]}
  selfServiceUsers:
    - {userId: 10, loginId: ten, contactPartyId: 11}
    - {userId: 100, loginId: hundred, contactPartyId: 12}
    - {userId: 1000, loginId: thousand, contactPartyId: 13}
    - {userId: 999, loginId: none, contactPartyId: 14}
`))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LoadFixture(ctx, fixture); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		create := func(userID int64) int64 {
			role := store.OracleSelfServiceRole{UserID: userID, AccountPartyID: 1, RelationshipTypeCd: "ORA_CSS_USER",
				StartDate: now, CreatedBy: "t", CreationDate: now, LastUpdatedBy: "t", LastUpdateDate: now, LastUpdateLogin: "t"}
			err := s.Transaction(ctx, func(tx *store.Tx) error {
				if err := tx.InsertOracleRole(&role); err != nil {
					return err
				}
				return tx.AuditOracleRole(&role)
			})
			if err != nil {
				t.Fatal(err)
			}
			return role.RoleID
		}
		update := func(userID, roleID int64, change func(r *store.OracleSelfServiceRole)) {
			err := s.Transaction(ctx, func(tx *store.Tx) error {
				role, err := tx.OracleRoleOf(userID, roleID)
				if err != nil {
					return err
				}
				change(role)
				if err := tx.UpdateOracleRole(role); err != nil {
					return err
				}
				return tx.AuditOracleRole(role)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		create(10)
		hundred := create(100)
		for i := range 1001 {
			requestType := []string{"B2C", "B2B"}[i%2]
			update(100, hundred, func(r *store.OracleSelfServiceRole) { r.RequestTypeCd = &requestType })
		}
		thousand := create(1000)
		update(1000, thousand, func(r *store.OracleSelfServiceRole) { r.EndDate = &now })
		if _, err := s.SealAuditEvents(ctx); err != nil {
			t.Fatal(err)
		}

		err = s.View(ctx, func(tx *store.Tx) error {
			all, err := tx.OracleRoleHistories([]int64{1000, 10, 100, 10, 999})
			if err != nil {
				return err
			}
			if len(all) != 3 || all[999] != nil {
				t.Errorf("histories of %d users (999: %v), want 3", len(all), all[999])
			}
			for id, want := range map[int64]int{10: 1, 100: 1002, 1000: 2} {
				own, err := tx.OracleRoleHistory(id)
				if err != nil {
					return err
				}
				if len(all[id]) != want || len(own) != want {
					t.Errorf("user %d: %d entries together, %d alone, want %d", id, len(all[id]), len(own), want)
					continue
				}
				for i := range own {
					if a, b := describeEntry(all[id][i]), describeEntry(own[i]); all[id][i].UserID != id || a != b {
						t.Errorf("user %d entry %d: together %s, alone %s", id, i, a, b)
					}
				}
			}
			// The long history shows each toggle in order, from the creation on.
			long := all[100]
			if long[0].Action != store.OracleHistoryCreated || long[0].RequestTypeCd != nil ||
				*long[1].RequestTypeCd != "B2C" || *long[1001].RequestTypeCd != "B2C" || *long[1000].RequestTypeCd != "B2B" {
				t.Errorf("user 100's history: first %+v, last %+v", long[0], long[1001])
			}
			if ended := all[1000][1]; ended.EndDate == nil || ended.Action != store.OracleHistoryUpdated {
				t.Errorf("user 1000's end: %+v", ended)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// describeEntry is every field of an entry, pointers followed.
func describeEntry(e store.OracleRoleHistoryEntry) string {
	requestType, registration, end := "-", "-", "-"
	if e.RequestTypeCd != nil {
		requestType = *e.RequestTypeCd
	}
	if e.RegistrationID != nil {
		registration = fmt.Sprint(*e.RegistrationID)
	}
	if e.EndDate != nil {
		end = e.EndDate.UTC().String()
	}
	return fmt.Sprintf("%s user=%d account=%d %s request=%s registration=%s start=%s end=%s %s %v %+v %s", e.HistoryID(), e.UserID, e.AccountPartyID,
		e.RelationshipTypeCd, requestType, registration, e.StartDate.UTC(), end, e.Action, e.ChangedAttributes, e.Actor, e.Time.UTC())
}
