package store

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"
)

// GormForTests exposes the GORM handle to the store's own external tests.
func GormForTests(s *Store) *gorm.DB { return s.db }

// RecordsForTests lists every record type.
func RecordsForTests() []any { return allRecords }

// TxGormForTests exposes a transaction's GORM handle to the store's own external tests.
func TxGormForTests(tx *Tx) *gorm.DB { return tx.db }

// SetCommitTimeoutForTests changes the bound on COMMIT until the test ends.
func SetCommitTimeoutForTests(t testing.TB, d time.Duration) {
	old := commitTimeout
	commitTimeout = d
	t.Cleanup(func() { commitTimeout = old })
}

// AvailabilityForTests is availability, for tests of how driver errors are classified.
var AvailabilityForTests = availability

// SealLikeBeforeMigration0011ForTests seals pending events the way an instance built before
// migration 0011 does (a rolling upgrade runs both): it reads whole rows, hashes each
// event's canonical JSON into the chain and writes its events without a content digest.
func SealLikeBeforeMigration0011ForTests(ctx context.Context, s *Store) error {
	return s.Transaction(ctx, func(tx *Tx) error {
		head, err := tx.lockAuditHead()
		if err != nil {
			return err
		}
		var pending []auditPendingRecord
		if err := tx.db.Order("id").Find(&pending).Error; err != nil {
			return err
		}
		seq, prev := head.LastSeq, head.LastHash
		for _, p := range pending {
			content, err := p.Columns.content()
			if err != nil {
				return err
			}
			canonical, err := canonicalAuditJSON(content)
			if err != nil {
				return err
			}
			hash, err := auditLink(prev, nil, canonical)
			if err != nil {
				return err
			}
			seq++
			columns := p.Columns
			columns.ContentDigest = ""
			if err := tx.db.Create(&auditEventRecord{Seq: seq, Columns: columns, PrevHash: prev, Hash: hash}).Error; err != nil {
				return err
			}
			if err := tx.db.Delete(&auditPendingRecord{}, p.ID).Error; err != nil {
				return err
			}
			prev = hash
		}
		return tx.db.Model(&auditChainRecord{}).Where("id = 1").Updates(map[string]any{"last_seq": seq, "last_hash": prev}).Error
	})
}

// AppendLikeBeforeMigration0011ForTests appends a pending event the way an instance built
// before migration 0011 does: without a content digest.
func AppendLikeBeforeMigration0011ForTests(ctx context.Context, s *Store, changes string) error {
	return s.db.WithContext(ctx).Exec(`INSERT INTO audit_pending (occurred_at, api, operation_id, actor_kind, actor_id,
	actor_issuer, actor_client, request_id, targets, changes) VALUES (?, 'egain', 'createCustomerGrants', 'user', 'old', '', '', 'req-old', '[]', ?)`,
		time.Now().UTC().Truncate(time.Microsecond), changes).Error
}

// SQLitePragmaForTests reads a pragma on the SQLite writer connection (writer) or on a reader.
func SQLitePragmaForTests(t testing.TB, s *Store, writer bool, pragma string) string {
	t.Helper()
	db := s.db
	if writer {
		db = s.writer
	}
	var value string
	if err := db.Raw("PRAGMA " + pragma).Scan(&value).Error; err != nil {
		t.Fatalf("PRAGMA %s: %v", pragma, err)
	}
	return value
}
