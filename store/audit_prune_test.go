package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// nextWholeSecond waits until the clock has passed the next whole second and returns it:
// every event appended before the call is older than it, every event appended after is not.
// A cut at a whole second is also what an operator types (--from 2026-12-07T09:00:00Z).
func nextWholeSecond() time.Time {
	cut := time.Now().Truncate(time.Second).Add(time.Second)
	for time.Now().Before(cut) {
		time.Sleep(time.Until(cut))
	}
	return cut
}

// nextMicrosecond waits until the clock has passed the next whole microsecond (the
// precision of event times) and returns it.
func nextMicrosecond() time.Time {
	cut := time.Now().Truncate(time.Microsecond).Add(time.Microsecond)
	for time.Now().Before(cut) {
	}
	return cut
}

// TestAuditPartialPruning: events before and after the cut, pruned once, twice, with the
// cut moving forward or back, then appended to; verify starts from the checkpoint and still
// finds tampering after it. The trail is 3 events before cut 1, 3 between cut 1 and cut 2,
// and 2 after cut 2 (seq 1–3, 4–6, 7–8); cut 1 is at a whole second, cut 2 within one.
func TestAuditPartialPruning(t *testing.T) {
	type prune struct {
		cut     int // 0: before every event, 1: cut 1, 2: cut 2, 3: after every event
		removed int64
	}
	cases := []struct {
		name   string
		prunes []prune
		append int // events appended after the prunes
		tamper string
		at     int64
		// what verify finds
		from, checked, last int64
		broken              store.AuditBreakKind
		brokenAt            int64
	}{
		{name: "cut before every event", prunes: []prune{{0, 0}}, from: 0, checked: 8, last: 8},
		{name: "cut between events", prunes: []prune{{1, 3}}, from: 3, checked: 5, last: 8},
		{name: "the same cut twice", prunes: []prune{{1, 3}, {1, 0}}, from: 3, checked: 5, last: 8},
		{name: "a later cut after an earlier one", prunes: []prune{{1, 3}, {2, 3}}, from: 6, checked: 2, last: 8},
		{name: "an earlier cut after a later one", prunes: []prune{{2, 6}, {1, 0}}, from: 6, checked: 2, last: 8},
		{name: "cut after every event", prunes: []prune{{3, 8}}, from: 8, checked: 0, last: 8},
		{name: "pruned, then appended", prunes: []prune{{1, 3}}, append: 2, from: 3, checked: 7, last: 10},
		{name: "everything pruned, then appended", prunes: []prune{{3, 8}}, append: 2, from: 8, checked: 2, last: 10},
		{name: "pruned twice, then appended", prunes: []prune{{1, 3}, {2, 3}}, append: 1, from: 6, checked: 3, last: 9},

		// Tampering after the checkpoint is still found, with its seq.
		{name: "first kept event edited", prunes: []prune{{1, 3}}, tamper: "edit", at: 4, from: 3, last: 3, broken: store.AuditEdited, brokenAt: 4},
		{name: "first kept event relinked", prunes: []prune{{1, 3}}, tamper: "relink", at: 4, from: 3, last: 3, broken: store.AuditEdited, brokenAt: 4},
		{name: "first kept event deleted", prunes: []prune{{1, 3}}, tamper: "delete", at: 4, from: 3, last: 3, broken: store.AuditMissing, brokenAt: 4},
		{name: "later event edited", prunes: []prune{{1, 3}}, tamper: "edit", at: 7, from: 3, checked: 3, last: 6, broken: store.AuditEdited, brokenAt: 7},
		{name: "later events swapped", prunes: []prune{{1, 3}}, tamper: "swap", at: 5, from: 3, checked: 1, last: 4, broken: store.AuditReordered, brokenAt: 5},
		{name: "last event deleted", prunes: []prune{{1, 3}}, tamper: "delete", at: 8, from: 3, checked: 4, last: 7, broken: store.AuditMissing, brokenAt: 8},
		{name: "appended event edited", prunes: []prune{{3, 8}}, append: 2, tamper: "edit", at: 10, from: 8, checked: 1, last: 9, broken: store.AuditEdited, brokenAt: 10},
		{name: "first appended event deleted", prunes: []prune{{3, 8}}, append: 2, tamper: "delete", at: 9, from: 8, last: 8, broken: store.AuditMissing, brokenAt: 9},
	}
	for _, dialect := range storetest.Dialects(t) {
		for _, c := range cases {
			t.Run(string(dialect)+"/"+c.name, func(t *testing.T) {
				ctx := context.Background()
				opts := storetest.Options(t, dialect)
				s := storetest.OpenWith(t, opts)
				cuts := []time.Time{time.Now().Add(-time.Hour)}
				appendGrantEvents(t, s, 3)
				cuts = append(cuts, nextWholeSecond())
				appendGrantEvents(t, s, 3)
				cuts = append(cuts, nextMicrosecond())
				appendGrantEvents(t, s, 2)
				cuts = append(cuts, time.Now().Add(time.Hour))
				for i, p := range c.prunes {
					removed, err := s.PruneAuditEvents(ctx, cuts[p.cut])
					if err != nil || removed != p.removed {
						t.Fatalf("prune %d (cut %d): removed %d, %v; want %d", i+1, p.cut, removed, err, p.removed)
					}
				}
				appendGrantEvents(t, s, c.append)
				if c.tamper != "" {
					if r := verify(t, s); r.Break != nil {
						t.Fatalf("before tampering: %v", r.Break)
					}
					storetest.TamperAudit(t, opts, c.tamper, c.at)
				}
				r := verify(t, s)
				if r.From != c.from || r.Checked != c.checked || r.Last != c.last {
					t.Errorf("verify: from %d, checked %d, last %d; want %d, %d, %d", r.From, r.Checked, r.Last, c.from, c.checked, c.last)
				}
				switch {
				case c.broken == "" && r.Break != nil:
					t.Errorf("verify found %v in a whole chain", r.Break)
				case c.broken != "" && (r.Break == nil || r.Break.Kind != c.broken || r.Break.Seq != c.brokenAt):
					t.Errorf("verify found %v, want %s at %d", r.Break, c.broken, c.brokenAt)
				}
				if c.tamper != "" {
					return
				}
				// The kept events are readable, in order, from the first after the checkpoint.
				events, err := s.AuditEvents(ctx, store.AuditQuery{})
				if err != nil || int64(len(events)) != c.last-c.from || (len(events) > 0 && events[0].Seq != c.from+1) {
					t.Fatalf("events after pruning: %v, %d of them", err, len(events))
				}
			})
		}
	}
}

// TestAuditTimeFiltersAtTheCut: from (inclusive) and to (exclusive) split the trail exactly
// at a time between two events, a whole second or within one.
func TestAuditTimeFiltersAtTheCut(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		for _, wait := range []struct {
			name string
			cut  func() time.Time
		}{{"whole second", nextWholeSecond}, {"within a second", nextMicrosecond}} {
			t.Run(string(dialect)+"/"+wait.name, func(t *testing.T) {
				s := storetest.Open(t, dialect)
				appendGrantEvents(t, s, 2)
				cut := wait.cut()
				appendGrantEvents(t, s, 3)
				for _, c := range []struct {
					q        store.AuditQuery
					want     int
					firstSeq int64
				}{
					{store.AuditQuery{From: cut}, 3, 3},
					{store.AuditQuery{To: cut}, 2, 1},
					{store.AuditQuery{From: cut.Add(-time.Hour), To: cut}, 2, 1},
					{store.AuditQuery{From: cut, To: cut.Add(time.Hour)}, 3, 3},
				} {
					events, err := s.AuditEvents(context.Background(), c.q)
					if err != nil || len(events) != c.want || events[0].Seq != c.firstSeq {
						t.Errorf("from %v to %v: %v, %d events; want %d from seq %d", c.q.From, c.q.To, err, len(events), c.want, c.firstSeq)
					}
				}
			})
		}
	}
}
