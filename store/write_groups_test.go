package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// groupTestStore opens a migrated SQLite store with a table of names to write.
func groupTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.writer.Exec("CREATE TABLE group_test (name TEXT PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// insertName is the work of inserting name.
func insertName(name string) func(tx *Tx) error {
	return func(tx *Tx) error { return tx.db.Exec("INSERT INTO group_test (name) VALUES (?)", name).Error }
}

// writeName inserts name in a write transaction of its own, then runs then (when not nil)
// in it.
func writeName(ctx context.Context, s *Store, name string, then func(tx *Tx) error) error {
	return s.Transaction(ctx, func(tx *Tx) error {
		if err := insertName(name)(tx); err != nil {
			return err
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// committedNames reads the names through the readers' pool: what is committed.
func committedNames(t *testing.T, s *Store) []string {
	t.Helper()
	var names []string
	if err := s.db.Raw("SELECT name FROM group_test ORDER BY name").Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	return names
}

// waitForQueue waits until n writes wait for the writer's turn.
func waitForQueue(t *testing.T, w *writeGroups, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.Lock()
		queued := len(w.queue)
		w.mu.Unlock()
		if queued >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes waiting, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// holdTurn starts a write that holds the writer's turn until release is closed, then does
// work, and returns once it holds the turn; the write's outcome comes on the returned channel.
func holdTurn(s *Store, work func(tx *Tx) error, release <-chan struct{}) <-chan error {
	holding, outcome := make(chan struct{}), make(chan error, 1)
	go func() {
		outcome <- s.Transaction(context.Background(), func(tx *Tx) error {
			close(holding)
			<-release
			return work(tx)
		})
	}()
	<-holding
	return outcome
}

// queueWrites starts the writes one after the other, each once the one before waits for
// the writer's turn (held meanwhile by holdTurn), and returns their outcomes, in order.
func queueWrites(t *testing.T, s *Store, writes ...func() error) []chan error {
	t.Helper()
	outcomes := make([]chan error, len(writes))
	for i, write := range writes {
		outcomes[i] = make(chan error, 1)
		go func() { outcomes[i] <- write() }()
		waitForQueue(t, s.writeGroups, i+1)
	}
	return outcomes
}

// TestWriteGroupsShareOneCommit: writes that queue while one runs join its transaction and
// are committed together, once; a write that fails leaves nothing of its own and the
// others' work whole; each write returns only once its work is committed (its row is then
// visible to the readers' pool).
func TestWriteGroupsShareOneCommit(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, insertName("a"), release)
	refused := errors.New("refused")
	names := []string{"b1", "b2", "b3", "b4", "b5"}
	outcomes := make([]error, len(names))
	visibleOnReturn := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var then func(*Tx) error
			if name == "b3" {
				then = func(*Tx) error { return refused }
			}
			outcomes[i] = writeName(context.Background(), s, name, then)
			visibleOnReturn[i] = slices.Contains(committedNames(t, s), name)
		}()
		waitForQueue(t, s.writeGroups, i+1) // in this order
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first write: %v", err)
	}
	wg.Wait()
	for i, name := range names {
		switch {
		case name == "b3" && !errors.Is(outcomes[i], refused):
			t.Errorf("%s: %v, want its own error", name, outcomes[i])
		case name != "b3" && (outcomes[i] != nil || !visibleOnReturn[i]):
			t.Errorf("%s: %v, committed when it returned: %v", name, outcomes[i], visibleOnReturn[i])
		}
	}
	if got, want := committedNames(t, s), []string{"a", "b1", "b2", "b4", "b5"}; !slices.Equal(got, want) {
		t.Errorf("committed %v, want %v", got, want)
	}
	// The five queued while the first held the turn: it left the transaction open for
	// them, and its last committed it, once, carrying the five writes that stayed.
	if groups, writes := s.writeGroups.groupsCommitted.Load(), s.writeGroups.writesCommitted.Load(); groups != 1 || writes != 5 {
		t.Errorf("%d COMMITs carrying %d writes, want 1 carrying 5", groups, writes)
	}
	// The five waits for the turn are the pool's waits in the metrics.
	if waits := s.PoolStats().WaitCount; waits < 5 {
		t.Errorf("pool stats count %d waits, want the 5 writes' at least", waits)
	}
}

// TestWriteGroupsAreBounded: a COMMIT carries at most maxWriteGroup writes; the writes
// still waiting then start the next group.
func TestWriteGroupsAreBounded(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, insertName("first"), release)
	queued := maxWriteGroup + 4
	writes := make([]func() error, queued)
	for i := range writes {
		writes[i] = func() error { return writeName(context.Background(), s, fmt.Sprint("w", i), nil) }
	}
	outcomes := queueWrites(t, s, writes...)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for _, outcome := range outcomes {
		if err := <-outcome; err != nil {
			t.Fatal(err)
		}
	}
	groups, carried := s.writeGroups.groupsCommitted.Load(), s.writeGroups.writesCommitted.Load()
	if groups != 2 || carried != int64(queued+1) {
		t.Errorf("%d COMMITs carrying %d writes, want 2 carrying %d (%d, then the rest)", groups, carried, queued+1, maxWriteGroup)
	}
}

// TestWriteGroupsCallerGivingUp: a write whose caller gives up while it waits for the turn
// leaves the queue at once; one whose caller gives up while its work runs has its work
// rolled back, and the writes sharing its transaction keep theirs.
func TestWriteGroupsCallerGivingUp(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, insertName("a"), release)

	waiting, giveUpWaiting := context.WithCancel(context.Background())
	waited := make(chan error, 1)
	go func() { waited <- writeName(waiting, s, "waited", nil) }()
	waitForQueue(t, s.writeGroups, 1)
	giveUpWaiting()
	if err := <-waited; !errors.Is(err, context.Canceled) {
		t.Fatalf("a write given up while waiting: %v, want context.Canceled", err)
	}
	waitForQueue(t, s.writeGroups, 0)

	running, giveUpRunning := context.WithCancel(context.Background())
	gaveUp, last := make(chan error, 1), make(chan error, 1)
	go func() {
		gaveUp <- writeName(running, s, "gave-up", func(*Tx) error { giveUpRunning(); return nil })
	}()
	waitForQueue(t, s.writeGroups, 1)
	go func() { last <- writeName(context.Background(), s, "last", nil) }()
	waitForQueue(t, s.writeGroups, 2)
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first write: %v", err)
	}
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("a write given up while running: %v, want context.Canceled", err)
	}
	if err := <-last; err != nil {
		t.Errorf("last write: %v", err)
	}
	if got, want := committedNames(t, s), []string{"a", "last"}; !slices.Equal(got, want) {
		t.Errorf("committed %v, want %v", got, want)
	}
}

// TestWriteGroupsPanic: a write that panics has its work rolled back and passes the turn
// on; the others in its transaction are committed, and later writes run.
func TestWriteGroupsPanic(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, insertName("a"), release)
	var recovered any
	outcomes := queueWrites(t, s,
		func() error {
			defer func() { recovered = recover() }()
			return writeName(context.Background(), s, "panics", func(*Tx) error { panic("fault") })
		},
		func() error { return writeName(context.Background(), s, "after", nil) })
	close(release)
	if <-outcomes[0]; recovered != "fault" {
		t.Errorf("recovered %v, want the write's panic", recovered)
	}
	if err := <-first; err != nil {
		t.Errorf("first write: %v", err)
	}
	if err := <-outcomes[1]; err != nil {
		t.Errorf("write after the panic: %v", err)
	}
	if err := writeName(context.Background(), s, "later", nil); err != nil {
		t.Errorf("a later write: %v", err)
	}
	if got, want := committedNames(t, s), []string{"a", "after", "later"}; !slices.Equal(got, want) {
		t.Errorf("committed %v, want %v", got, want)
	}
}

// TestWriteGroupsBrokenTransaction: when a write's failure ends the shared transaction
// itself (here it runs ROLLBACK, as SQLite does on its own after some I/O errors), the
// writes applied before it in the group fail with ErrUnavailable, none of them committed,
// and the next write starts a transaction of its own.
func TestWriteGroupsBrokenTransaction(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, insertName("a"), release)
	outcomes := queueWrites(t, s,
		func() error {
			return writeName(context.Background(), s, "breaks", func(tx *Tx) error { return tx.db.Exec("ROLLBACK").Error })
		},
		func() error { return writeName(context.Background(), s, "next", nil) })
	broke, next := outcomes[0], outcomes[1]
	close(release)
	if err := <-first; !errors.Is(err, ErrUnavailable) {
		t.Errorf("a write of the broken group: %v, want ErrUnavailable", err)
	}
	if err := <-broke; err == nil {
		t.Errorf("the write that broke the transaction succeeded")
	}
	if err := <-next; err != nil {
		t.Errorf("the next write: %v", err)
	}
	if got, want := committedNames(t, s), []string{"next"}; !slices.Equal(got, want) {
		t.Errorf("committed %v, want %v", got, want)
	}
}

// groupEvent appends the audit event of a grant on customer 1 to grantee, in tx.
func groupEvent(grantee int64) func(tx *Tx) error {
	return func(tx *Tx) error { return tx.AuditGrantsCreated(1, []int64{grantee}) }
}

// grantChange is the changes of groupEvent(grantee)'s event.
func grantChange(grantee int) string {
	return fmt.Sprintf(`{"grants":{"after":[{"grantedOn":"1","grantee":"%d"}],"before":[]}}`, grantee)
}

// chainedChanges reads the chain in seq order (after verifying it whole) and returns each
// event's changes; it fails the test when anything is pending.
func chainedChanges(t *testing.T, s *Store) []string {
	t.Helper()
	var pending int64
	if err := s.db.Model(&auditPendingRecord{}).Count(&pending).Error; err != nil || pending != 0 {
		t.Fatalf("%d events pending (%v), want none: a group chains its events at COMMIT", pending, err)
	}
	verification, err := s.VerifyAuditChain(context.Background())
	if err != nil || verification.Break != nil {
		t.Fatalf("verify: %v %+v", err, verification.Break)
	}
	var changes []string
	if err := s.db.Raw("SELECT changes FROM audit_events ORDER BY seq").Scan(&changes).Error; err != nil {
		t.Fatal(err)
	}
	if int64(len(changes)) != verification.Last {
		t.Fatalf("%d events, last seq %d: the seq has gaps", len(changes), verification.Last)
	}
	return changes
}

// TestWriteGroupsChainTheirEventsAtCommit: the audit events of a group's writes are chained
// at its COMMIT, in the writes' order, with nothing left pending; a refused write's event is
// not among them.
func TestWriteGroupsChainTheirEventsAtCommit(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, groupEvent(101), release)
	refused := errors.New("refused")
	outcomes := make(chan error, 3)
	for i, grantee := range []int64{102, 103, 104} {
		go func() {
			outcomes <- s.Transaction(context.Background(), func(tx *Tx) error {
				if err := groupEvent(grantee)(tx); err != nil || grantee != 103 {
					return err
				}
				return refused
			})
		}()
		waitForQueue(t, s.writeGroups, i+1)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-outcomes; err != nil && !errors.Is(err, refused) {
			t.Fatal(err)
		}
	}
	got := chainedChanges(t, s)
	want := []string{grantChange(101), grantChange(102), grantChange(104)}
	if !slices.Equal(got, want) {
		t.Errorf("chained %v, want %v", got, want)
	}
}

// TestWriteGroupsKeepEventsAWriteChainedBeforeFailing: a shared transaction that reads the
// trail chains the group's events so far (those of the writes before it too); when it then
// fails, that chaining is rolled back with it, and the group's COMMIT chains the others'
// events all the same.
func TestWriteGroupsKeepEventsAWriteChainedBeforeFailing(t *testing.T) {
	s := groupTestStore(t)
	release := make(chan struct{})
	first := holdTurn(s, groupEvent(201), release)
	refused := errors.New("refused")
	outcomes := queueWrites(t, s,
		func() error {
			return s.SharedTransaction(context.Background(), func(ctx context.Context) error {
				if err := s.Transaction(ctx, groupEvent(202)); err != nil {
					return err
				}
				if sealed, err := s.SealAuditEvents(ctx); err != nil || sealed != 0 {
					return fmt.Errorf("sealed %d pending: %v", sealed, err)
				}
				var chained int64
				if err := s.Transaction(ctx, func(tx *Tx) error {
					return tx.db.Model(&auditEventRecord{}).Count(&chained).Error
				}); err != nil || chained != 2 {
					return fmt.Errorf("%d events chained inside the shared transaction (%v), want the group's 2", chained, err)
				}
				return refused
			})
		},
		func() error { return s.Transaction(context.Background(), groupEvent(203)) })
	failed, last := outcomes[0], outcomes[1]
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-failed; !errors.Is(err, refused) {
		t.Fatalf("shared transaction: %v, want its own refusal", err)
	}
	if err := <-last; err != nil {
		t.Fatal(err)
	}
	got := chainedChanges(t, s)
	want := []string{grantChange(201), grantChange(203)}
	if !slices.Equal(got, want) {
		t.Errorf("chained %v, want %v", got, want)
	}
}
