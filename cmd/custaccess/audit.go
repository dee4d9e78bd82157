package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"time"

	"github.com/custaccess/custaccess/store"
)

// Exit statuses of `custaccess audit verify` when the chain is broken (2: any other error).
var auditBreakStatus = map[store.AuditBreakKind]int{
	store.AuditEdited:    3,
	store.AuditMissing:   4,
	store.AuditReordered: 5,
}

// exitStatus is an error that ends the command with its own exit status.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

// Background work of `serve` on the audit trail.
const auditSealInterval = 200 * time.Millisecond

// auditPruneInterval is how often `serve` prunes: a tenth of the retention, so that no
// event outlives it by more than a tenth, at least every second and at most every hour.
func auditPruneInterval(retention time.Duration) time.Duration {
	return min(max(retention/10, time.Second), time.Hour)
}

// operatorSource is the audit source of the command line's writes (`seed`, the demo load):
// the operating-system user who ran it.
func operatorSource() store.AuditSource {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return store.AuditSource{Actor: store.AuditActor{Kind: "operator", ID: name}, OperationID: "seed", RequestID: rand.Text()}
}

const auditUsage = `usage: custaccess audit verify | export [--from T] [--to T] [--after SEQ] | tail [--after SEQ]

  verify   walk the hash chain; exit 0 when whole, 3 edited, 4 missing, 5 reordered (the
           first broken event's seq is printed), 2 on any other error
  export   write the selected events as NDJSON (one JSON object a line) to stdout;
           --from/--to are RFC 3339 times (from inclusive, to exclusive)
  tail     write new events as NDJSON as they are sealed, until interrupted
`

func auditCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return errors.New("audit needs a subcommand: verify, export or tail")
	}
	sub, args := args[0], args[1:]
	flags, cfg := newFlags("audit "+sub, stderr)
	var from, to string
	var after int64
	var poll time.Duration
	switch sub {
	case "verify":
	case "export":
		flags.StringVar(&from, "from", "", "first time (RFC 3339, inclusive)")
		flags.StringVar(&to, "to", "", "end time (RFC 3339, exclusive)")
		flags.Int64Var(&after, "after", 0, "only events after this seq")
	case "tail":
		flags.Int64Var(&after, "after", -1, "start after this seq (default: the chain's head, so only new events)")
		flags.DurationVar(&poll, "poll", time.Second, "how often to look for new events")
	default:
		fmt.Fprint(stderr, auditUsage)
		return fmt.Errorf("unknown audit subcommand %q", sub)
	}
	if err := cfg.parse(args); err != nil {
		return err
	}
	logger, err := cfg.newLogger(stderr)
	if err != nil {
		return err
	}
	db, _, err := cfg.openStore(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "verify":
		return auditVerify(ctx, db, stdout)
	case "export":
		q := store.AuditQuery{After: after}
		if q.From, err = parseAuditTime("--from", from); err != nil {
			return err
		}
		if q.To, err = parseAuditTime("--to", to); err != nil {
			return err
		}
		return auditExport(ctx, db, q, stdout)
	default:
		return auditTail(ctx, db, after, poll, stdout)
	}
}

func parseAuditTime(name, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want an RFC 3339 time such as 2026-12-07T09:00:00Z: %w", name, err)
	}
	return t, nil
}

func auditVerify(ctx context.Context, db *store.Store, stdout io.Writer) error {
	result, err := db.VerifyAuditChain(ctx)
	if err != nil {
		return err
	}
	if b := result.Break; b != nil {
		return &exitStatus{code: auditBreakStatus[b.Kind], err: b}
	}
	fmt.Fprintf(stdout, "audit chain verified: %d events after checkpoint %d, last seq %d\n", result.Checked, result.From, result.Last)
	return nil
}

func auditExport(ctx context.Context, db *store.Store, q store.AuditQuery, stdout io.Writer) error {
	encoder := json.NewEncoder(stdout)
	return db.EachAuditEvent(ctx, q, func(e store.AuditEvent) error { return encoder.Encode(e) })
}

// auditTail writes events after seq after (or after the head when negative), then follows
// the chain until ctx ends.
func auditTail(ctx context.Context, db *store.Store, after int64, poll time.Duration, stdout io.Writer) error {
	if poll <= 0 {
		return errors.New("--poll must be positive")
	}
	if after < 0 {
		head, err := db.AuditHead(ctx)
		if err != nil {
			return err
		}
		after = head
	}
	encoder := json.NewEncoder(stdout)
	for {
		err := db.EachAuditEvent(ctx, store.AuditQuery{After: after}, func(e store.AuditEvent) error {
			after = e.Seq
			return encoder.Encode(e)
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// runAuditBackground seals pending events every auditSealInterval and, with a retention,
// prunes older events at start and then every auditPruneInterval, until ctx ends.
func runAuditBackground(ctx context.Context, db *store.Store, retention time.Duration, logger *slog.Logger) {
	seal := time.NewTicker(auditSealInterval)
	defer seal.Stop()
	prune := time.NewTicker(auditPruneInterval(retention))
	defer prune.Stop()
	pruneNow := func() {
		if retention <= 0 {
			return
		}
		removed, err := db.PruneAuditEvents(ctx, time.Now().Add(-retention))
		if err != nil && ctx.Err() == nil {
			logger.Warn("audit trail: pruning failed", "error", err)
		} else if removed > 0 {
			logger.Info("audit trail pruned", "events_removed", removed, "retention", retention.String())
		}
	}
	pruneNow()
	for {
		select {
		case <-ctx.Done():
			return
		case <-seal.C:
			if _, err := db.SealAuditEvents(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("audit trail: sealing failed", "error", err)
			}
		case <-prune.C:
			pruneNow()
		}
	}
}
