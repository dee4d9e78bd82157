package store_test

import (
	"context"
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
