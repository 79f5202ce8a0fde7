// Package store reads the bank's account tables, through gorm: it owns the statements, the
// scanning of rows into the models and the joins. It is the one package of the service that
// speaks SQL to the account schema; the loaders batch and cache per request and call it.
//
// Reading rows. gorm's Find builds each statement anew (clauses, quoting, the model's column
// list) and its Scan matches every column of every row to a struct field through the model's
// schema. A read's statement is fixed and its model never changes, so the column list, the
// statement text and each column's field are worked out once, when the read is declared, and
// rows are scanned straight into the fields of a gorm model. The statement still runs through
// gorm (Raw(…).Rows()), so its callbacks (statement count, slow-statement log) see it.
package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// DB is the database the reads run against.
type DB struct {
	g *gorm.DB
	// shared: a read's keys of concurrent requests go in one statement (share.go).
	shared bool
	groups sync.Map // *Read[K, V] -> *group[K, V]
}

// New returns the store over g (the lookup pool), sharing each read's statements between
// concurrent requests (share.go).
func New(g *gorm.DB) *DB { return &DB{g: g, shared: true} }

// Unshared returns the store over g where every Fetch runs its own statement: for tests that
// compare, and the A/B of the benchmark.
func Unshared(g *gorm.DB) *DB { return &DB{g: g} }

// layout is what a model's rows need, worked out once per model type.
type layout struct {
	table   string           // the model's table, as its TableName says
	columns []string         // its readable columns, in field order (psd is not a field)
	fields  map[string]field // column name -> its struct field
}

type field struct {
	index []int
	typ   reflect.Type
}

// layouts caches a layout per model type for the process: models do not change at run time.
var layouts sync.Map // reflect.Type -> *layout

// layoutOf returns V's layout, from gorm's own parse of the model.
func layoutOf[V any]() (*layout, error) {
	t := reflect.TypeFor[V]()
	if l, ok := layouts.Load(t); ok {
		return l.(*layout), nil
	}
	s, err := schema.Parse(new(V), &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		return nil, fmt.Errorf("store: model %v: %w", t, err)
	}
	l := &layout{table: s.Table, fields: make(map[string]field, len(s.Fields))}
	for _, f := range s.Fields {
		if f.DBName == "" || !f.Readable {
			continue
		}
		l.columns = append(l.columns, f.DBName)
		l.fields[f.DBName] = field{f.StructField.Index, f.StructField.Type}
	}
	actual, _ := layouts.LoadOrStore(t, l)
	return actual.(*layout), nil
}

// keyField checks that column is a field of type K (or *K, when ptr is allowed) of l's model.
func (l *layout) keyField(column string, k reflect.Type, ptr bool) (isPtr bool, err error) {
	f, ok := l.fields[column]
	switch {
	case !ok:
		return false, fmt.Errorf("store: %s has no column %q", l.table, column)
	case f.typ == k:
		return false, nil
	case ptr && f.typ == reflect.PointerTo(k):
		return true, nil
	}
	return false, fmt.Errorf("store: %s.%s is a %v, the read keys by %v", l.table, column, f.typ, k)
}

// Read is one statement that reads the rows of V for a batch of keys K, passed as one array
// parameter, and tells each row's key: the value of its key column, a field of V. It is
// declared once for the process (By, Raw, Codes) and run per batch (Fetch).
type Read[K comparable, V any] struct {
	layout *layout
	key    string // the key column
	query  string
	// By's, for the statement text with joins; "" for Raw.
	column, order string
	joins         []Join[V]
}

// By reads the rows of V's table whose column is one of the keys, ordered by order. It
// panics when column is not a field of type K of V: a declaration error, found at start.
func By[K comparable, V any](column, order string) *Read[K, V] {
	return byTable[K, V]("", column, order)
}

func byTable[K comparable, V any](table, column, order string) *Read[K, V] {
	l := mustLayout[V]()
	if table != "" {
		c := *l
		c.table = table
		l = &c
	}
	if _, err := l.keyField(column, reflect.TypeFor[K](), false); err != nil {
		panic(err)
	}
	r := &Read[K, V]{layout: l, key: column, column: column, order: order}
	r.query = r.selectIn()
	return r
}

// Raw reads rows of V with a hand-written statement whose one parameter ("= ANY(?)") is the
// batch's keys; keyColumn, one of its columns, is the field of V (of type K) that tells each
// row's key. It panics when keyColumn is not such a field.
func Raw[K comparable, V any](keyColumn, query string) *Read[K, V] {
	l := mustLayout[V]()
	if _, err := l.keyField(keyColumn, reflect.TypeFor[K](), false); err != nil {
		panic(err)
	}
	return &Read[K, V]{layout: l, key: keyColumn, query: query}
}

func mustLayout[V any]() *layout {
	l, err := layoutOf[V]()
	if err != nil {
		panic(err)
	}
	return l
}

// Table is the table the read's model is read from.
func (r *Read[K, V]) Table() string { return r.layout.table }

// Query is the statement's text.
func (r *Read[K, V]) Query() string { return r.query }

// selectIn is By's statement: the model's columns, by name, of the rows whose column is one
// of the keys ($1), ordered by order.
func (r *Read[K, V]) selectIn() string {
	quoted := make([]string, len(r.layout.columns))
	for i, c := range r.layout.columns {
		quoted[i] = `"` + c + `"`
	}
	q := "SELECT " + strings.Join(quoted, ",") + " FROM " + r.layout.table + " WHERE " + r.column + " = ANY(?)"
	if r.order != "" {
		q += " ORDER BY " + r.order
	}
	return q
}

// Fetch runs the statement for keys and returns the rows, each with its key (keys[i] is the
// key of rows[i]). A column no field of V takes is an error: a statement and its model
// disagree. On a DB that shares reads (New's), a statement of this read that is already in
// flight for another request makes this one wait and go in the next statement with the keys
// of every request that queued meanwhile (share.go); the rows returned are still only those
// of keys.
func (r *Read[K, V]) Fetch(ctx context.Context, db *DB, keys []K) ([]K, []*V, error) {
	if db.shared {
		return r.shared(ctx, db, keys)
	}
	ks, rows, dones, err := r.fetch(ctx, db, keys)
	handOver(ctx, dones)
	return ks, rows, err
}

// handOver hands each row's joined children to the request of ctx.
func handOver(ctx context.Context, dones []found) {
	for _, f := range dones {
		if f != nil {
			f(ctx, false)
		}
	}
}

// fetch runs the statement once for keys: the rows, their keys and, for a read with joins,
// per row what hands its joined children over (nil without joins).
func (r *Read[K, V]) fetch(ctx context.Context, db *DB, keys []K) ([]K, []*V, []found, error) {
	if len(r.joins) > 0 {
		return r.fetchJoined(ctx, db, keys)
	}
	ks, rows, err := r.fetchPlain(ctx, db, keys)
	return ks, rows, nil, err
}

func (r *Read[K, V]) fetchPlain(ctx context.Context, db *DB, keys []K) ([]K, []*V, error) {
	rows, err := db.g.WithContext(ctx).Raw(r.query, KeyList[K](keys)).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	index := make([][]int, len(columns))
	kpos := -1
	for i, c := range columns {
		f, ok := r.layout.fields[c]
		if !ok {
			return nil, nil, fmt.Errorf("store: column %q has no field in %v", c, reflect.TypeFor[V]())
		}
		index[i] = f.index
		if c == r.key {
			kpos = i
		}
	}
	if kpos < 0 {
		return nil, nil, fmt.Errorf("store: the statement of %v reads no key column %q", reflect.TypeFor[V](), r.key)
	}
	targets := make([]any, len(columns))
	var ks []K
	var out []*V
	for rows.Next() {
		v := new(V)
		rv := reflect.ValueOf(v).Elem()
		for i, ix := range index {
			targets[i] = rv.FieldByIndex(ix).Addr().Interface()
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, nil, err
		}
		ks = append(ks, *targets[kpos].(*K))
		out = append(out, v)
	}
	return ks, out, rows.Err()
}

// KeyList passes a batch's keys as one array parameter: gorm would spread a plain slice into
// "IN ($1, …, $n)", a different statement text, so a different prepared statement and plan,
// for every batch size. As a driver.Valuer it is passed as it is, and pgx sends it as the
// array of its element type.
type KeyList[K comparable] []K

// arrayEscaper escapes a text element of an array literal.
var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value writes the list as a PostgreSQL array literal: {"a","b"} for text keys, {1,2} for
// numbers.
func (l KeyList[K]) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		switch v := any(k).(type) {
		case string:
			b.WriteByte('"')
			b.WriteString(arrayEscaper.Replace(v))
			b.WriteByte('"')
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			return nil, fmt.Errorf("store: unsupported key type %T", k)
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

// ColumnOf finds the column of P that key reads: the one field of type K or *K whose value
// key returns. It lets a relation be declared by its key function alone, the column derived.
func ColumnOf[P any, K comparable](key func(*P) *K) (string, error) {
	l, err := layoutOf[P]()
	if err != nil {
		return "", err
	}
	kt := reflect.TypeFor[K]()
	var found []string
	for i, c := range l.columns {
		f := l.fields[c]
		if f.typ != kt && f.typ != reflect.PointerTo(kt) {
			continue
		}
		want := reflect.New(kt).Elem()
		switch kt.Kind() {
		case reflect.String:
			want.SetString("probe-" + strconv.Itoa(i))
		case reflect.Int, reflect.Int64, reflect.Int32:
			want.SetInt(int64(i) + 7919)
		default:
			return "", fmt.Errorf("store: keys of type %v cannot be probed", kt)
		}
		p := new(P)
		fv := reflect.ValueOf(p).Elem().FieldByIndex(f.index)
		if f.typ == kt {
			fv.Set(want)
		} else {
			ptr := reflect.New(kt)
			ptr.Elem().Set(want)
			fv.Set(ptr)
		}
		if k := key(p); k != nil && any(*k) == want.Interface() {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("store: the key of %v reads %d columns %v, want one", reflect.TypeFor[P](), len(found), found)
	}
	return found[0], nil
}
