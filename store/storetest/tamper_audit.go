package storetest

import (
	"fmt"
	"testing"

	"github.com/custaccess/custaccess/store"
)

// TamperAudit changes the sealed audit trail in SQL, as someone with database access would.
// It touches only the columns seq, changes and prev_hash of audit_events: when how events
// are stored changes, this function alone needs adapting.
//
//	edit    rewrites the changes of event seq
//	relink  gives event seq the hash of the event before its predecessor as its previous hash
//	delete  removes event seq
//	swap    swaps event seq with event seq+1
func TamperAudit(t testing.TB, opts store.Options, how string, seq int64) {
	t.Helper()
	var statements []string
	switch how {
	case "edit":
		statements = []string{fmt.Sprintf(`UPDATE audit_events SET changes = '{"tampered":true}' WHERE seq = %d`, seq)}
	case "relink":
		statements = []string{fmt.Sprintf("UPDATE audit_events SET prev_hash = '%064d' WHERE seq = %d", 7, seq)}
	case "delete":
		statements = []string{fmt.Sprintf("DELETE FROM audit_events WHERE seq = %d", seq)}
	case "swap":
		statements = []string{
			fmt.Sprintf("UPDATE audit_events SET seq = %d WHERE seq = %d", 1_000_000+seq, seq),
			fmt.Sprintf("UPDATE audit_events SET seq = %d WHERE seq = %d", seq, seq+1),
			fmt.Sprintf("UPDATE audit_events SET seq = %d WHERE seq = %d", seq+1, 1_000_000+seq),
		}
	default:
		t.Fatalf("TamperAudit: unknown tampering %q", how)
	}
	for _, statement := range statements {
		Exec(t, opts, statement)
	}
}
