package store

import "gorm.io/gorm"

// GormForTests exposes the GORM handle to the store's own external tests.
func GormForTests(s *Store) *gorm.DB { return s.db }

// RecordsForTests lists every record type.
func RecordsForTests() []any { return allRecords }
