package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
)

// Joining one-to-one children. A read whose rows point at one-to-one children by key (a
// review flag at its AML, OCR, Z21 and Z22 details) may read them in its own statement, one
// LEFT JOIN per child, and hand each child (a row, or nil when there is none) to the join's
// found function: the loaders prime the child's own loader with it, so the child costs no
// statement of its own. Whether a child was found is a column of its own (the child's key IS
// NOT NULL), never read from a zero value: a child whose key is 0 is a child.

// Join is a child read with each row of P (JoinOne, Read.With).
type Join[P any] interface {
	// bind checks the join against the parent's layout and keeps what it needs of it.
	bind(parent *layout) error
	// sql is the join's select expressions and its LEFT JOIN clause, for the alias.
	sql(alias string) (selects []string, clause string, err error)
	// scanner is one statement's scanner of the join's children, into a's chunks: it
	// appends their scan targets, then whether the child was there (present), to targets.
	scanner(targets []any, a *arena, present *bool) (joinScanner[P], []any)
}

// joinScanner scans the children of one join in one statement.
type joinScanner[P any] interface {
	// next makes the next row's child and points the targets at it.
	next()
	// done returns what hands the row's child to the join's found function (nil when the
	// parent row points at no child): the parent row is read now; the returned function
	// may run later, once per request that asked for the row, fresh asking for a copy of
	// the child of its own.
	done(parent *P, present bool) found
}

// found hands a row's joined children to the request of ctx.
type found func(ctx context.Context, fresh bool)

// oneJoin reads with each row of P the child C whose key is in P's column parent.
type oneJoin[P any, JK comparable, C any] struct {
	child  *Read[JK, C]
	parent string
	off    uintptr // the offset of parent's field in P
	ptr    bool    // the parent's field is *JK: NULL is no child
	found  func(ctx context.Context, key JK, c *C)
}

// JoinOne is the join of the row of child whose key column equals the parent row's
// parentColumn: found is called with the key and the child (nil when the key has no row; a
// NULL key calls nothing).
func JoinOne[P any, JK comparable, C any](parentColumn string, child *Read[JK, C], found func(ctx context.Context, key JK, c *C)) Join[P] {
	return &oneJoin[P, JK, C]{child: child, parent: parentColumn, found: found}
}

// With makes r read j with each of its rows, in its own statement. Declared once, at start:
// it panics on a read that takes no joins (Raw) or a column that is not there or not of the
// child's key type.
func (r *Read[K, V]) With(j Join[V]) {
	if r.column == "" {
		panic(fmt.Errorf("store: %s: a hand-written read takes no joins", r.layout.table))
	}
	if err := j.bind(r.layout); err != nil {
		panic(err)
	}
	r.joins = append(r.joins, j)
	q, err := r.selectJoined()
	if err != nil {
		panic(err)
	}
	r.query = q
}

func (j *oneJoin[P, JK, C]) bind(l *layout) error {
	ptr, err := l.keyField(j.parent, reflect.TypeFor[JK](), true)
	if err != nil {
		return err
	}
	j.ptr, j.off = ptr, l.fields[j.parent].offset
	return nil
}

func (j *oneJoin[P, JK, C]) sql(alias string) ([]string, string, error) {
	l := j.child.layout
	var selects []string
	for _, c := range l.columns {
		expr := alias + `."` + c + `"`
		zero, err := zeroOf(l.fields[c].typ)
		if err != nil {
			return nil, "", fmt.Errorf("store: %s.%s: %w", l.table, c, err)
		}
		if zero != "" {
			expr = "COALESCE(" + expr + "," + zero + ")"
		}
		selects = append(selects, expr)
	}
	selects = append(selects, alias+`."`+j.child.key+`" IS NOT NULL`)
	clause := " LEFT JOIN " + l.table + " " + alias + " ON " + alias + `."` + j.child.key + `" = p."` + j.parent + `"`
	return selects, clause, nil
}

// oneScan is a oneJoin's scanner in one statement: the current row's child.
type oneScan[P any, JK comparable, C any] struct {
	j     *oneJoin[P, JK, C]
	sc    *scanner
	child *C
	kept  bool // child was there, and handed on: the next row needs a new one
}

func (j *oneJoin[P, JK, C]) scanner(targets []any, a *arena, present *bool) (joinScanner[P], []any) {
	sc, targets := newScanner(j.child.layout.inOrder, a, targets)
	return &oneScan[P, JK, C]{j: j, sc: sc}, append(targets, present)
}

// next makes a new child, or reuses the last row's when it was not there (its fields are
// the COALESCEs' zeros): a row without the child costs nothing.
func (s *oneScan[P, JK, C]) next() {
	if s.child == nil || s.kept {
		s.child = new(C)
		s.sc.point(unsafe.Pointer(s.child))
	}
	s.kept = false
}

func (s *oneScan[P, JK, C]) done(parent *P, present bool) found {
	j := s.j
	var key JK
	at := unsafe.Add(unsafe.Pointer(parent), j.off)
	if j.ptr {
		k := *(**JK)(at)
		if k == nil {
			return nil
		}
		key = *k
	} else {
		key = *(*JK)(at)
	}
	var c *C
	if present {
		c, s.kept = s.child, true
	}
	return func(ctx context.Context, fresh bool) {
		if fresh && c != nil {
			own := *c
			j.found(ctx, key, &own)
			return
		}
		j.found(ctx, key, c)
	}
}

// selectJoined is the statement of a read with joins: the parent's columns, then each
// child's, the parent's table as p and the children as j0, j1, …. A child's NOT NULL fields
// (the Go fields that are not pointers) read through COALESCE, so that a missing child scans;
// the column after them says whether it was there.
func (r *Read[K, V]) selectJoined() (string, error) {
	var b strings.Builder
	b.WriteString("SELECT " + r.layout.columnList("p."))
	var clauses strings.Builder
	for i, j := range r.joins {
		selects, clause, err := j.sql(fmt.Sprintf("j%d", i))
		if err != nil {
			return "", err
		}
		b.WriteString("," + strings.Join(selects, ","))
		clauses.WriteString(clause)
	}
	b.WriteString(" FROM " + r.layout.table + " p")
	b.WriteString(clauses.String())
	terms := strings.Split(r.order, ",")
	for i, t := range terms {
		terms[i] = "p." + strings.TrimSpace(t)
	}
	b.WriteString(" WHERE p." + r.column + " = ANY($1) ORDER BY " + strings.Join(terms, ", "))
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

// fetchJoined runs selectJoined's statement and scans each row into a new V and a new child
// per join, by position; for each row it returns what hands the joins what they found
// (nil for a row without joined children), to be run for each request that asked for it.
func (r *Read[K, V]) fetchJoined(ctx context.Context, db *DB, keys []K) ([]K, []*V, []found, error) {
	var (
		ks    []K
		out   []*V
		dones []found
	)
	err := db.query(ctx, r.layout.table, r.query, []any{keys}, func(rows pgx.Rows) (int, error) {
		ks, out, dones = nil, nil, nil // a statement tried again starts afresh
		a := new(arena)
		sc, targets := newScanner(r.layout.inOrder, a, nil)
		joins := make([]joinScanner[V], len(r.joins))
		present := make([]bool, len(r.joins)) // rewritten by each row's scan
		for i, j := range r.joins {
			joins[i], targets = j.scanner(targets, a, &present[i])
		}
		if n := len(rows.FieldDescriptions()); n != len(targets) {
			return 0, fmt.Errorf("store: the joined statement of %v reads %d columns, want %d", reflect.TypeFor[V](), n, len(targets))
		}
		for rows.Next() {
			v := new(V)
			base := unsafe.Pointer(v)
			sc.point(base)
			for _, j := range joins {
				j.next()
			}
			if err := rows.Scan(targets...); err != nil {
				return 0, err
			}
			var fs []found
			for i, j := range joins {
				if f := j.done(v, present[i]); f != nil {
					fs = append(fs, f)
				}
			}
			dones = append(dones, all(fs))
			ks = append(ks, *(*K)(unsafe.Add(base, r.keyOff)))
			out = append(out, v)
		}
		return len(out), rows.Err()
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return ks, out, dones, nil
}

// all is one found that runs fs in order; nil when there are none.
func all(fs []found) found {
	if len(fs) == 0 {
		return nil
	}
	return func(ctx context.Context, fresh bool) {
		for _, f := range fs {
			f(ctx, fresh)
		}
	}
}
