package oracle

import (
	"errors"

	"github.com/custaccess/custaccess/server/internal/oracle/adfq"
	"github.com/custaccess/custaccess/store"
)

// The q query parameter, read as the request's REST framework version asks: query-by-example
// with version 1, rowmatch expressions with 2 and later (package adfq; the grammar is in the
// spec's description of q). The condition reaches the store as SQL naming only the store's
// fields, with every value of q bound.

// parseQ reads q over the attributes of catalogue into a filter for dialect; nil when q is
// absent or blank. A q not understood is an ADF_REST_INVALID_PARAMETER naming the token
// and its position.
func parseQ(q *string, frameworkVersion int, catalogue *adfq.Catalogue, dialect store.Dialect) (*store.OracleFilter, error) {
	if q == nil {
		return nil, nil
	}
	expr, err := adfq.Parse(*q, frameworkVersion, catalogue)
	var refusal *adfq.Error
	if errors.As(err, &refusal) {
		return nil, invalidQuery("q", refusal.Error())
	}
	if err != nil {
		return nil, err
	}
	if expr == nil {
		return nil, nil
	}
	d := adfq.SQLite
	if dialect == store.Postgres {
		d = adfq.Postgres
	}
	sql, args := expr.SQL(d)
	return &store.OracleFilter{SQL: sql, Args: args}, nil
}
