package database

import (
	"context"
	"sync/atomic"

	"gorm.io/gorm"
)

type counterKey struct{}

// WithStatementCounter returns a context whose statements, run through a db prepared by
// CountStatements, are counted in the returned counter.
func WithStatementCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, counterKey{}, n), n
}

// StatementCount returns the counter that ctx carries, nil when it carries none.
func StatementCount(ctx context.Context) *atomic.Int64 {
	n, _ := ctx.Value(counterKey{}).(*atomic.Int64)
	return n
}

// CountStatements registers gorm callbacks that count every query, raw statement and row
// read against the counter of the statement's context (see WithStatementCounter).
func CountStatements(db *gorm.DB) error {
	count := func(tx *gorm.DB) {
		if n := StatementCount(tx.Statement.Context); n != nil {
			n.Add(1)
		}
	}
	cb := db.Callback()
	if err := cb.Query().After("gorm:query").Register("createinfo:count", count); err != nil {
		return err
	}
	if err := cb.Row().After("gorm:row").Register("createinfo:count", count); err != nil {
		return err
	}
	return cb.Raw().After("gorm:raw").Register("createinfo:count", count)
}
