package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestAuditChainAcrossMigration0011: events chained before migration 0011 (their hash over
// the canonical JSON, no content digest) and events chained after (over the digest) verify
// as one chain, whichever instance appended or sealed them, and tampering is found in both.
func TestAuditChainAcrossMigration0011(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		gorm := store.GormForTests(s)
		// seq 1: appended digested, sealed by an old instance (PostgreSQL); on SQLite chained
		// at its own COMMIT, digested (a write group leaves nothing pending).
		appendGrantEvents(t, s, 1)
		if err := store.AppendLikeBeforeMigration0011ForTests(ctx, s, `{"n":2}`); err != nil { // seq 2: old all along
			t.Fatal(err)
		}
		if err := store.SealLikeBeforeMigration0011ForTests(ctx, s); err != nil {
			t.Fatal(err)
		}
		if err := store.AppendLikeBeforeMigration0011ForTests(ctx, s, `{"n":3}`); err != nil { // seq 3: appended by an old instance
			t.Fatal(err)
		}
		appendGrantEvents(t, s, 1) // seq 4: new all along
		if r := verify(t, s); r.Break != nil || r.Checked != 4 {
			t.Fatalf("verify: %+v %v", r, r.Break)
		}
		var digests []string
		if err := gorm.Raw("SELECT content_digest FROM audit_events ORDER BY seq").Scan(&digests).Error; err != nil {
			t.Fatal(err)
		}
		firstDigested := s.Dialect() == store.SQLite
		if len(digests) != 4 || (len(digests[0]) == 64) != firstDigested || digests[1] != "" || len(digests[2]) != 64 || len(digests[3]) != 64 {
			t.Fatalf("content digests by seq: %q (want the old sealer's empty, the new sealer's digested)", digests)
		}
		for _, tc := range []struct {
			name, set string
			seq       int64
		}{
			{"changes of an event chained before", `changes = '{"n":9}'`, 2},
			{"changes of an event chained after", `changes = '{"n":9}'`, 3},
			{"digest of an event chained after", `content_digest = '` + otherDigest(digests[2]) + `'`, 3},
			{"digest cleared (posing as chained before)", `content_digest = ''`, 4},
			{"digest given to an event chained before", `content_digest = '` + digests[3] + `'`, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var saved struct{ Changes, ContentDigest string }
				if err := gorm.Raw("SELECT changes, content_digest FROM audit_events WHERE seq = ?", tc.seq).Scan(&saved).Error; err != nil {
					t.Fatal(err)
				}
				if err := gorm.Exec("UPDATE audit_events SET "+tc.set+" WHERE seq = ?", tc.seq).Error; err != nil {
					t.Fatal(err)
				}
				r := verify(t, s)
				if r.Break == nil || r.Break.Kind != store.AuditEdited || r.Break.Seq != tc.seq {
					t.Fatalf("verify after tampering: %+v %v, want edited at %d", r, r.Break, tc.seq)
				}
				err := gorm.Exec("UPDATE audit_events SET changes = ?, content_digest = ? WHERE seq = ?", saved.Changes, saved.ContentDigest, tc.seq).Error
				if err != nil {
					t.Fatal(err)
				}
				if r := verify(t, s); r.Break != nil {
					t.Fatalf("verify after restoring: %v", r.Break)
				}
			})
		}
	})
}

// otherDigest is digest with its last hex digit changed.
func otherDigest(digest string) string {
	last := "0"
	if strings.HasSuffix(digest, "0") {
		last = "1"
	}
	return digest[:len(digest)-1] + last
}
