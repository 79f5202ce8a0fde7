package loaders

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Joining one-to-one children. A relation whose rows point at one-to-one children by key (a
// review flag at its AML, OCR, Z21 and Z22 details) may read them in its own statement, one
// LEFT JOIN per child, and prime each child's own loader with what it found (a row or nil):
// the child's loader stays the one path its resolvers read through, and its Fill finds its
// keys already primed, so the child costs no statement and no dependent round of its own.
// A child loaded without its parent (a key priming did not reach) is still fetched by its own
// loader as before.

// join is one child read with rows of P.
type join[P any] interface {
	// spec names the child's table and key column in P's table, for the statement text.
	spec(db *gorm.DB) (joinSpec, error)
	// row returns a new child and its addressable struct value, to scan into.
	row() (any, reflect.Value)
	// prime gives the child's loader what the statement found for p: the child, or nil when
	// the child's key column of the row was NULL (no such child).
	prime(ctx context.Context, p *P, child any)
}

type joinSpec struct {
	fk     string  // column of the parent's table holding the child's key
	layout *layout // the child's
	types  []reflect.Type
	key    string // the child's key column, NULL when there is no child
}

// oneJoin is the join of a child C found by its int64 key column (its seq_no).
type oneJoin[P, C any] struct {
	rel *Relation[int64, *C]
	fk  string
	key func(*P) *int64
}

// joinOne reads the child of rel whose key is in the parent's column fk (key reads it from
// the parent row) with the parent.
func joinOne[P, C any](rel *Relation[int64, *C], fk string, key func(*P) *int64) join[P] {
	return oneJoin[P, C]{rel, fk, key}
}

func (j oneJoin[P, C]) spec(db *gorm.DB) (joinSpec, error) {
	l, err := layoutOf[C](db)
	if err != nil {
		return joinSpec{}, err
	}
	t := reflect.TypeFor[C]()
	s := joinSpec{fk: j.fk, layout: l, key: "seq_no"}
	for _, c := range l.columns {
		s.types = append(s.types, t.FieldByIndex(l.fields[c]).Type)
	}
	return s, nil
}

func (j oneJoin[P, C]) row() (any, reflect.Value) {
	c := new(C)
	return c, reflect.ValueOf(c).Elem()
}

func (j oneJoin[P, C]) prime(ctx context.Context, p *P, child any) {
	k := j.key(p)
	if k == nil || *k == 0 {
		return
	}
	c, _ := child.(*C)
	j.rel.primeJoined(ctx, *k, c)
}

// whereInWith is whereIn whose statement also reads joins, one LEFT JOIN each, and primes
// their loaders with every row it returns.
func whereInWith[K comparable, V any](column, order string, joins ...join[V]) fetchFunc[K, *V] {
	return func(ctx context.Context, db *gorm.DB, keys []K) ([]*V, error) {
		l, err := layoutOf[V](db)
		if err != nil {
			return nil, err
		}
		specs := make([]joinSpec, len(joins))
		sig := make([]string, len(joins))
		for i, j := range joins {
			if specs[i], err = j.spec(db); err != nil {
				return nil, err
			}
			sig[i] = specs[i].layout.table + "@" + specs[i].fk
		}
		key := statementKey{reflect.TypeFor[V](), column, order + "|" + strings.Join(sig, ",")}
		query, ok := statements.Load(key)
		if !ok {
			q, err := l.selectJoined(column, order, specs)
			if err != nil {
				return nil, err
			}
			query, _ = statements.LoadOrStore(key, q)
		}
		return queryJoined(ctx, db, query.(string), l, specs, joins, keyList[K](keys))
	}
}

// selectJoined is whereInWith's statement: the parent's columns, then each child's, the
// parent's table as p and the children as j0, j1, …. A child's NOT NULL fields (the Go
// fields that are not pointers) read through COALESCE, so that a missing child scans as a
// zero row; its key column then reads 0, which is how the scan knows it is missing.
func (l *layout) selectJoined(column, order string, specs []joinSpec) (string, error) {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range l.columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`p."` + c + `"`)
	}
	for i, s := range specs {
		alias := fmt.Sprintf("j%d", i)
		for n, c := range s.layout.columns {
			expr := alias + `."` + c + `"`
			if zero, err := zeroOf(s.types[n]); err != nil {
				return "", fmt.Errorf("loaders: %s.%s: %w", s.layout.table, c, err)
			} else if zero != "" {
				expr = "COALESCE(" + expr + "," + zero + ")"
			}
			b.WriteString("," + expr)
		}
	}
	b.WriteString(" FROM " + l.table + " p")
	for i, s := range specs {
		alias := fmt.Sprintf("j%d", i)
		b.WriteString(" LEFT JOIN " + s.layout.table + " " + alias + " ON " + alias + `."` + s.key + `" = p."` + s.fk + `"`)
	}
	terms := strings.Split(order, ",")
	for i, t := range terms {
		terms[i] = "p." + strings.TrimSpace(t)
	}
	b.WriteString(" WHERE p." + column + " = ANY(?) ORDER BY " + strings.Join(terms, ", "))
	return b.String(), nil
}

// zeroOf is the SQL zero of a NOT NULL field of Go type t, "" for a pointer (NULL scans as nil).
func zeroOf(t reflect.Type) (string, error) {
	switch {
	case t.Kind() == reflect.Pointer:
		return "", nil
	case t == reflect.TypeFor[time.Time]():
		return "'epoch'::timestamptz", nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return "false", nil
	case reflect.Int, reflect.Int16, reflect.Int32, reflect.Int64:
		return "0", nil
	case reflect.String:
		return "''", nil
	}
	return "", fmt.Errorf("no zero for %v", t)
}

// queryJoined runs selectJoined's statement and scans each row into a new V and a new child
// per join, by position; it primes each join's loader for each V.
func queryJoined[V any](ctx context.Context, db *gorm.DB, query string, l *layout, specs []joinSpec, joins []join[V], args ...any) ([]*V, error) {
	rows, err := db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := len(l.columns)
	for _, s := range specs {
		n += len(s.layout.columns)
	}
	targets := make([]any, n)
	children := make([]any, len(joins))
	keys := make([]reflect.Value, len(joins))
	var out []*V
	for rows.Next() {
		v := new(V)
		rv := reflect.ValueOf(v).Elem()
		t := 0
		for _, c := range l.columns {
			targets[t] = rv.FieldByIndex(l.fields[c]).Addr().Interface()
			t++
		}
		for i, j := range joins {
			c, cv := j.row()
			children[i] = c
			for _, col := range specs[i].layout.columns {
				targets[t] = cv.FieldByIndex(specs[i].layout.fields[col]).Addr().Interface()
				t++
			}
			keys[i] = cv.FieldByIndex(specs[i].layout.fields[specs[i].key])
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
		for i, j := range joins {
			if keys[i].Int() == 0 {
				j.prime(ctx, v, nil)
			} else {
				j.prime(ctx, v, children[i])
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
