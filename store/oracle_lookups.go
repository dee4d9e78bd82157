package store

import "gorm.io/gorm"

// Oracle's lookup resource (fndStaticLookups), read-only: the codes of the lookup types the
// self-service roles use, as lists of values.

// OracleLookupField is an expression q may compare over a lookup (the alias l).
type OracleLookupField string

const (
	OracleLookupType    OracleLookupField = "l.lookup_type"
	OracleLookupCode    OracleLookupField = "l.code"
	OracleLookupMeaning OracleLookupField = "l.meaning"
)

// OracleLookupQuery asks for a page of lookup codes.
type OracleLookupQuery struct {
	// LookupType, when set, keeps only the codes of that type.
	LookupType *string
	// Filter, when set, must hold (q, over the OracleLookupField expressions).
	Filter     *OracleFilter
	Offset     int
	Limit      int
	CountTotal bool
}

// OracleLookupPage is a page of lookup codes, by type and then code; Total is counted only
// when the query asks for it.
type OracleLookupPage struct {
	Lookups []OracleLookup
	HasMore bool
	Total   int64
}

// OracleLookupPage reads a page of lookup codes, enabled or not.
func (tx *Tx) OracleLookupPage(q OracleLookupQuery) (OracleLookupPage, error) {
	filtered := tx.db.Table("oracle_lookups AS l")
	if q.LookupType != nil {
		filtered = filtered.Where("l.lookup_type = ?", *q.LookupType)
	}
	if q.Filter != nil {
		// Parenthesized: the filter's OR can't reach the condition above.
		filtered = filtered.Where("("+q.Filter.SQL+")", q.Filter.Args...)
	}
	lookups, hasMore, total, err := readPage[OracleLookup](filtered, q.CountTotal, func(filtered *gorm.DB) (*gorm.DB, error) {
		return filtered.Select("l.lookup_type, l.code, l.meaning, l.enabled").Order("l.lookup_type, l.code"), nil
	}, q.Offset, q.Limit)
	return OracleLookupPage{Lookups: lookups, HasMore: hasMore, Total: total}, err
}
