package database

import (
	"context"
	"sync/atomic"

	"gorm.io/gorm"
)

// Counter counts the SQL statements run with a context (see WithStatementCounter).
type Counter struct {
	n      atomic.Int64
	parent *Counter
}

// Load returns the count so far.
func (c *Counter) Load() int64 { return c.n.Load() }

func (c *Counter) add() {
	for ; c != nil; c = c.parent {
		c.n.Add(1)
	}
}

type counterKey struct{}

// WithStatementCounter returns a context whose statements are counted in the returned counter,
// and in any counter ctx already carries.
func WithStatementCounter(ctx context.Context) (context.Context, *Counter) {
	parent, _ := ctx.Value(counterKey{}).(*Counter)
	c := &Counter{parent: parent}
	return context.WithValue(ctx, counterKey{}, c), c
}

// CountStatements registers gorm callbacks that count every query, raw statement and row
// read against the counters of the statement's context. Open registers them.
func CountStatements(db *gorm.DB) error {
	count := func(tx *gorm.DB) {
		if c, ok := tx.Statement.Context.Value(counterKey{}).(*Counter); ok {
			c.add()
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

// CountStatement counts one statement against the counters of ctx that did not run through
// gorm with it: a read shared between requests (store) runs once, with the first request's
// context, and counts for each of the others this way.
func CountStatement(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*Counter); ok {
		c.add()
	}
}
