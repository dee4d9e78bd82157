package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// appendGrantEvents commits n events, one transaction each, as eGain grant creations of
// customers 1 → 100+i.
func appendGrantEvents(t testing.TB, s *store.Store, n int) {
	t.Helper()
	ctx := store.WithAuditSource(context.Background(), store.AuditSource{
		Actor: store.AuditActor{Kind: "user", ID: "alice", Issuer: "custaccess"}, OperationID: "createCustomerGrants", RequestID: "req-1",
	})
	for i := range n {
		err := s.Transaction(ctx, func(tx *store.Tx) error { return tx.AuditGrantsCreated(1, []int64{int64(100 + i)}) })
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, s *store.Store) store.AuditVerification {
	t.Helper()
	result, err := s.VerifyAuditChain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return result
}

func TestAuditEventsAreSealedIntoAVerifiableChain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		appendGrantEvents(t, s, 5)
		events, err := s.AuditEvents(context.Background(), store.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 5 {
			t.Fatalf("got %d events, want 5", len(events))
		}
		for i, e := range events {
			if e.Seq != int64(i+1) {
				t.Errorf("event %d: seq %d", i, e.Seq)
			}
			if i > 0 && e.PrevHash != events[i-1].Hash {
				t.Errorf("event %d: prev hash %s, want %s", e.Seq, e.PrevHash, events[i-1].Hash)
			}
			if e.Actor.ID != "alice" || e.OperationID != "createCustomerGrants" || e.API != store.AuditAPIEgain || e.RequestID != "req-1" {
				t.Errorf("event %d: %+v", e.Seq, e.AuditEventContent)
			}
			want := fmt.Sprintf(`{"grants":{"after":[{"grantedOn":"1","grantee":"%d"}],"before":[]}}`, 100+i)
			if string(e.Changes) != want {
				t.Errorf("event %d: changes %s, want %s", e.Seq, e.Changes, want)
			}
		}
		if r := verify(t, s); r.Break != nil || r.Checked != 5 || r.Last != 5 {
			t.Fatalf("verify: %+v %v", r, r.Break)
		}
		// Filters.
		byTarget, err := s.AuditEvents(context.Background(), store.AuditQuery{TargetID: "102"})
		if err != nil || len(byTarget) != 1 || byTarget[0].Seq != 3 {
			t.Fatalf("target 102: %v %+v", err, byTarget)
		}
		page, err := s.AuditEvents(context.Background(), store.AuditQuery{After: 2, Limit: 2, Actor: "alice", API: "egain"})
		if err != nil || len(page) != 2 || page[0].Seq != 3 {
			t.Fatalf("page: %v %+v", err, page)
		}
		none, err := s.AuditEvents(context.Background(), store.AuditQuery{From: time.Now().Add(time.Hour)})
		if err != nil || len(none) != 0 {
			t.Fatalf("from the future: %v %+v", err, none)
		}
	})
}

// TestAuditOversizedChangesAreReplacedByTheirSize: changes over 16 KiB are stored as a marker
// with their size, so that no event grows without bound; the chain still verifies.
func TestAuditOversizedChangesAreReplacedByTheirSize(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		grantees := make([]int64, 600) // about 24 KB of grant pairs
		for i := range grantees {
			grantees[i] = int64(1000 + i)
		}
		if err := s.Transaction(context.Background(), func(tx *store.Tx) error { return tx.AuditGrantsCreated(1, grantees) }); err != nil {
			t.Fatal(err)
		}
		events, err := s.AuditEvents(context.Background(), store.AuditQuery{})
		if err != nil || len(events) != 1 {
			t.Fatalf("events: %v %d", err, len(events))
		}
		var changes struct {
			Truncated bool `json:"truncated"`
			Bytes     int  `json:"bytes"`
		}
		if err := json.Unmarshal(events[0].Changes, &changes); err != nil || !changes.Truncated || changes.Bytes <= 16<<10 {
			t.Errorf("changes of an oversized event: %s", events[0].Changes)
		}
		if len(events[0].Targets) != len(grantees)+1 {
			t.Errorf("%d targets, want %d", len(events[0].Targets), len(grantees)+1)
		}
		if r := verify(t, s); r.Break != nil || r.Checked != 1 {
			t.Fatalf("verify: %+v %v", r, r.Break)
		}
	})
}

func TestAuditEventOfARolledBackTransactionIsNotKept(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		refused := errors.New("refused")
		err := s.Transaction(context.Background(), func(tx *store.Tx) error {
			if err := tx.AuditGrantsCreated(1, []int64{2}); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatal(err)
		}
		events, err := s.AuditEvents(context.Background(), store.AuditQuery{})
		if err != nil || len(events) != 0 {
			t.Fatalf("%v %+v", err, events)
		}
	})
}

// TestAuditVerifyFindsTampering edits the trail in SQL, as someone with database access
// would, and expects verify to name the kind and the first broken seq.
func TestAuditVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		kind store.AuditBreakKind
		seq  int64
	}{
		{"edited actor", "UPDATE audit_events SET actor_id = 'mallory' WHERE seq = 3", store.AuditEdited, 3},
		{"edited changes", `UPDATE audit_events SET changes = '{"grants":{"before":[],"after":[]}}' WHERE seq = 2`, store.AuditEdited, 2},
		{"edited time", "UPDATE audit_events SET occurred_at = occurred_at - INTERVAL_ WHERE seq = 4", store.AuditEdited, 4},
		{"edited targets", `UPDATE audit_events SET targets = '[]' WHERE seq = 1`, store.AuditEdited, 1},
		{"rewritten previous hash", "UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE seq = 1) WHERE seq = 3", store.AuditEdited, 3},
		{"deleted middle", "DELETE FROM audit_events WHERE seq = 3", store.AuditMissing, 3},
		{"deleted first", "DELETE FROM audit_events WHERE seq = 1", store.AuditMissing, 1},
		{"deleted last", "DELETE FROM audit_events WHERE seq = 5", store.AuditMissing, 5},
		{"swapped", "UPDATE audit_events SET seq = 1002 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = 1002", store.AuditReordered, 2},
	}
	for _, dialect := range storetest.Dialects(t) {
		for _, c := range cases {
			t.Run(string(dialect)+"/"+c.name, func(t *testing.T) {
				opts := storetest.Options(t, dialect)
				s := storetest.OpenWith(t, opts)
				appendGrantEvents(t, s, 5)
				if r := verify(t, s); r.Break != nil {
					t.Fatalf("before tampering: %v", r.Break)
				}
				interval := "interval '1 second'"
				if dialect == store.SQLite {
					interval = "0" // SQLite: a text time minus 0 is a number, another value
				}
				sql := c.sql
				if c.name == "edited time" {
					if dialect == store.SQLite {
						sql = "UPDATE audit_events SET occurred_at = replace(occurred_at, ':', ';') WHERE seq = 4"
					} else {
						sql = "UPDATE audit_events SET occurred_at = occurred_at - " + interval + " WHERE seq = 4"
					}
				}
				for statement := range strings.SplitSeq(sql, "; ") {
					storetest.Exec(t, opts, statement)
				}
				r, err := s.VerifyAuditChain(context.Background())
				if c.name == "edited time" && dialect == store.SQLite && err != nil {
					return // a time that no longer parses fails the read: also found
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.Break == nil || r.Break.Kind != c.kind || r.Break.Seq != c.seq {
					t.Fatalf("got %+v, want %s at %d", r.Break, c.kind, c.seq)
				}
			})
		}
	}
}

func TestAuditPruningKeepsTheChainVerifiable(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		appendGrantEvents(t, s, 3)
		removed, err := s.PruneAuditEvents(ctx, time.Now().Add(time.Hour))
		if err != nil || removed != 3 {
			t.Fatalf("prune: %d, %v", removed, err)
		}
		appendGrantEvents(t, s, 2)
		r := verify(t, s)
		if r.Break != nil || r.From != 3 || r.Checked != 2 || r.Last != 5 {
			t.Fatalf("after pruning: %+v %v", r, r.Break)
		}
		// Nothing older than a second ago besides those: a second prune keeps all.
		if removed, err := s.PruneAuditEvents(ctx, time.Now().Add(-time.Hour)); err != nil || removed != 0 {
			t.Fatalf("second prune: %d, %v", removed, err)
		}
	})
}

func TestAuditForgedCheckpointIsFound(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			s := storetest.OpenWith(t, opts)
			appendGrantEvents(t, s, 4)
			if _, err := s.PruneAuditEvents(context.Background(), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			appendGrantEvents(t, s, 2)
			storetest.Exec(t, opts, "UPDATE audit_chain SET pruned_hash = '"+fmt.Sprintf("%064d", 7)+"'")
			r := verify(t, s)
			if r.Break == nil || r.Break.Seq != 5 || r.Break.Kind != store.AuditEdited {
				t.Fatalf("got %+v", r.Break)
			}
		})
	}
}

// TestAuditChainStaysLinearUnderConcurrentWriters: two instances on one database, many
// writers, and sealers running on both all along: every committed event is sealed exactly
// once, seq has no gap, the chain verifies.
func TestAuditChainStaysLinearUnderConcurrentWriters(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			opts := storetest.Options(t, dialect)
			instances := []*store.Store{storetest.OpenWith(t, opts), storetest.OpenWith(t, opts)}
			const writers, each = 32, 5
			ctx, stop := context.WithCancel(context.Background())
			var sealers sync.WaitGroup
			for _, s := range instances {
				for range 2 {
					sealers.Go(func() {
						for ctx.Err() == nil {
							if _, err := s.SealAuditEvents(ctx); err != nil && ctx.Err() == nil {
								t.Errorf("seal: %v", err)
								return
							}
							time.Sleep(time.Millisecond)
						}
					})
				}
			}
			var writes sync.WaitGroup
			for w := range writers {
				s := instances[w%2]
				writes.Go(func() {
					for i := range each {
						err := s.Transaction(context.Background(), func(tx *store.Tx) error {
							return tx.AuditGrantsCreated(int64(w+1), []int64{int64(1000 + i)})
						})
						if err != nil {
							t.Errorf("write: %v", err)
						}
					}
				})
			}
			writes.Wait()
			stop()
			sealers.Wait()
			r := verify(t, instances[1])
			if r.Break != nil || r.Checked != writers*each || r.Last != writers*each {
				t.Fatalf("got %+v %v, want %d events", r, r.Break, writers*each)
			}
			seen := map[string]bool{}
			err := instances[0].EachAuditEvent(context.Background(), store.AuditQuery{}, func(e store.AuditEvent) error {
				key := string(e.Changes)
				if seen[key] {
					return fmt.Errorf("event sealed twice: %s", key)
				}
				seen[key] = true
				return nil
			})
			if err != nil || len(seen) != writers*each {
				t.Fatalf("%v; %d distinct events", err, len(seen))
			}
		})
	}
}

// BenchmarkSealAuditEvents seals events like a K=10 grant creation's, 500 at a time: the
// sealer's work per event on PostgreSQL. On SQLite a write group chains its events at its
// own COMMIT, leaving nothing to the sealer: there it times the transaction appending the
// 500 events and chaining them, in one.
//
//	go test -run '^$' -bench SealAuditEvents -cpuprofile /tmp/seal.prof ./store/
func BenchmarkSealAuditEvents(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			s := storetest.Open(b, dialect)
			ctx := store.WithAuditSource(context.Background(), store.AuditSource{
				Actor: store.AuditActor{Kind: "client", ID: "load", Issuer: "custaccess"}, OperationID: "createCustomerGrants", RequestID: "bench"})
			grantees := make([]int64, 10)
			for i := range grantees {
				grantees[i] = int64(200_000 + i)
			}
			b.ResetTimer()
			chainedAtCommit := dialect == store.SQLite
			for b.Loop() {
				if !chainedAtCommit {
					b.StopTimer()
				}
				err := s.Transaction(ctx, func(tx *store.Tx) error {
					for i := range 500 {
						if err := tx.AuditGrantsCreated(int64(1+i), grantees); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if chainedAtCommit {
					continue
				}
				b.StartTimer()
				if n, err := s.SealAuditEvents(context.Background()); err != nil || n != 500 {
					b.Fatalf("sealed %d: %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*500), "µs/event")
		})
	}
}

// BenchmarkChainGroupEvents times, on SQLite, a write group's transaction carrying six K=1
// grant creations' events (the mean group under compare.sh's K=1 load): appending them and
// chaining them at COMMIT, the audit trail's whole work in a group. The COMMIT of those
// pages is in it too.
//
//	go test -run '^$' -bench ChainGroupEvents -benchmem ./store/
func BenchmarkChainGroupEvents(b *testing.B) {
	s := storetest.Open(b, store.SQLite)
	ctx := store.WithAuditSource(context.Background(), store.AuditSource{
		Actor: store.AuditActor{Kind: "client", ID: "load", Issuer: "custaccess"}, OperationID: "createCustomerGrants", RequestID: "bench"})
	const eventsPerGroup = 6
	grantee := []int64{200_000}
	for b.Loop() {
		err := s.Transaction(ctx, func(tx *store.Tx) error {
			for i := range eventsPerGroup {
				if err := tx.AuditGrantsCreated(int64(1+i), grantee); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*eventsPerGroup)/1000, "µs/event")
}
