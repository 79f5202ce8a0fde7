package loaders

import (
	"context"
	"fmt"
	"sync"
	"time"

	"createinfo/models"
	"createinfo/store"
)

// codeCache keeps whole code tables (industry, job, ID-issue city and way, country) in the
// process for a while. They are small, change seldom and hold no customer data, so one read
// per table per TTL serves every request: a full tree then runs six statements fewer. The
// loaders still batch and return in key order; their batch just reads the cache.
type codeCache struct {
	ttl    time.Duration
	now    func() time.Time // the clock; tests set their own
	mu     sync.Mutex
	tables map[string]cachedTable
}

type cachedTable struct {
	codes   map[string]*models.CodeName
	expires time.Time
}

func newCodeCache(ttl time.Duration) *codeCache {
	return &codeCache{ttl: ttl, now: time.Now, tables: map[string]cachedTable{}}
}

// table returns the codes of read's table, reading it again when its copy has expired.
func (c *codeCache) table(ctx context.Context, db *store.DB, read *store.Read[string, models.CodeName], obs []Observer) (map[string]*models.CodeName, error) {
	table := read.Table()
	c.mu.Lock()
	defer c.mu.Unlock() // one reader per expiry: the others wait for its result
	if t, ok := c.tables[table]; ok && c.now().Before(t.expires) {
		c.observe(obs, table, true) // metrics hook
		return t.codes, nil
	}
	c.observe(obs, table, false) // metrics hook
	ks, rows, err := read.All(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("code table %s: %w", table, err)
	}
	codes := make(map[string]*models.CodeName, len(rows))
	for i, r := range rows {
		codes[ks[i]] = r
	}
	c.tables[table] = cachedTable{codes: codes, expires: c.now().Add(c.ttl)}
	return codes, nil
}

// Codes is a code table's relation: the name of each code.
type Codes = One[string, models.CodeName]

// NewCodes declares the relation of one code table: through the source's cache when it has
// one, with one "WHERE code = ANY(…)" per batch otherwise. Declare it once, at start.
func NewCodes(read *store.Read[string, models.CodeName]) *Codes {
	return &Codes{decl: newDecl(func(o *batchOptions) batchFunc[string, *models.CodeName] {
		if o.codes == nil {
			return oneToOne(o, read)
		}
		return func(ctx context.Context, keys []string) []*result[*models.CodeName] {
			codes, err := o.codes.table(ctx, o.db, read, o.observers)
			if err != nil {
				return failAll[*models.CodeName](len(keys), err)
			}
			results := make([]*result[*models.CodeName], len(keys))
			for i, k := range keys {
				results[i] = &result[*models.CodeName]{Data: codes[k]}
			}
			return results
		}
	}), read: read}
}
