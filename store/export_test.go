package store

import (
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
