// Package store reads the bank's account tables: it owns the statements, the scanning of
// rows into the models and the joins. It is the one package of the service that speaks SQL to
// the account schema; the loaders batch and cache per request and call it.
//
// Reading rows. The models are gorm models and gorm's parse of them says each one's table,
// columns and fields; but the reads do not go through gorm. gorm's Find builds each statement
// anew (clauses, quoting, the model's column list), database/sql converts every value of every
// row to a driver.Value and back, and both match columns to fields by reflection. A read's
// statement is fixed and its model never changes, so the statement text and each column's
// field are worked out once, when the read is declared; the statement runs on pgx directly,
// on a connection of the same pool (run.go), its keys one native array, and rows are scanned
// straight into the fields of a new model (scan.go). What gorm's callbacks did for a
// statement the store does itself: it counts it against the request, gives it a span and
// logs it, through gorm's logger, when it fails or is slow.
package store

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm/schema"
)

// layout is what a model's rows need, worked out once per model type.
type layout struct {
	table   string            // the model's table, as its TableName says
	columns []string          // its readable columns, in field order (psd is not a field)
	fields  map[string]*field // column name -> its struct field
	inOrder []*field          // the fields of columns, in their order
}

type field struct {
	index  []int
	typ    reflect.Type
	offset uintptr // in the model
	kind   kind    // how a column is scanned into it
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
	l := &layout{table: s.Table, fields: make(map[string]*field, len(s.Fields))}
	for _, f := range s.Fields {
		if f.DBName == "" || !f.Readable {
			continue
		}
		off, err := offsetOf(t, f.StructField.Index)
		if err != nil {
			return nil, fmt.Errorf("store: model %v, column %s: %w", t, f.DBName, err)
		}
		k, err := kindOf(f.StructField.Type)
		if err != nil {
			return nil, fmt.Errorf("store: model %v, column %s: %w", t, f.DBName, err)
		}
		fd := &field{index: f.StructField.Index, typ: f.StructField.Type, offset: off, kind: k}
		l.columns = append(l.columns, f.DBName)
		l.fields[f.DBName] = fd
		l.inOrder = append(l.inOrder, fd)
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
	key    string  // the key column
	keyOff uintptr // its field's offset in V
	query  string  // the statement, its one parameter $1
	all    string  // By's statement of every row (All)
	// cols are the fields of the statement's columns, in its order, when the declaration
	// says them (By); nil for Raw, whose columns are matched by name at each statement.
	cols []*field
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
	r := newRead[K, V](l, column)
	r.column, r.order, r.cols = column, order, l.inOrder
	r.query = r.selectIn()
	r.all = "SELECT " + l.columnList("") + " FROM " + l.table
	return r
}

// Raw reads rows of V with a hand-written statement whose one parameter ("= ANY(?)") is the
// batch's keys; keyColumn, one of its columns, is the field of V (of type K) that tells each
// row's key. It panics when keyColumn is not such a field.
func Raw[K comparable, V any](keyColumn, query string) *Read[K, V] {
	r := newRead[K, V](mustLayout[V](), keyColumn)
	r.query = numbered(query)
	return r
}

func newRead[K comparable, V any](l *layout, key string) *Read[K, V] {
	if _, err := l.keyField(key, reflect.TypeFor[K](), false); err != nil {
		panic(err)
	}
	return &Read[K, V]{layout: l, key: key, keyOff: l.fields[key].offset}
}

// numbered is q with its one parameter, written "?" as gorm writes it, numbered as PostgreSQL
// does: "$1".
func numbered(q string) string {
	if strings.Count(q, "?") != 1 {
		panic(fmt.Errorf("store: a read's statement takes one parameter, the keys: %q", q))
	}
	return strings.Replace(q, "?", "$1", 1)
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

// columnList is the model's columns, quoted, each prefixed with prefix ("" or "p.").
func (l *layout) columnList(prefix string) string {
	var b strings.Builder
	for i, c := range l.columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(prefix + `"` + c + `"`)
	}
	return b.String()
}

// selectIn is By's statement: the model's columns, by name, of the rows whose column is one
// of the keys ($1), ordered by order.
func (r *Read[K, V]) selectIn() string {
	q := "SELECT " + r.layout.columnList("") + " FROM " + r.layout.table + " WHERE " + r.column + " = ANY($1)"
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
	ks, rows, err := r.fetchPlain(ctx, db, r.query, []any{keys})
	return ks, rows, nil, err
}

// fetchPlain runs q with args (the read's statement and its keys, or All's, with none) and
// scans its rows.
func (r *Read[K, V]) fetchPlain(ctx context.Context, db *DB, q string, args []any) ([]K, []*V, error) {
	var (
		ks  []K
		out []*V
	)
	err := db.query(ctx, r.layout.table, q, args, func(rows pgx.Rows) (int, error) {
		ks, out = nil, nil // a statement tried again starts afresh
		cols, err := r.columns(rows.FieldDescriptions())
		if err != nil {
			return 0, err
		}
		sc, targets := newScanner(cols, new(arena), make([]any, 0, len(cols)))
		for rows.Next() {
			v := new(V)
			base := unsafe.Pointer(v)
			sc.point(base)
			if err := rows.Scan(targets...); err != nil {
				return 0, err
			}
			ks = append(ks, *(*K)(unsafe.Add(base, r.keyOff)))
			out = append(out, v)
		}
		return len(out), rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	return ks, out, nil
}

// columns are the fields of a statement's columns, in its order: the declared ones (By), or
// those of the columns' names (Raw), which must include the key column.
func (r *Read[K, V]) columns(fds []pgconn.FieldDescription) ([]*field, error) {
	if r.cols != nil && len(fds) == len(r.cols) {
		return r.cols, nil
	}
	cols := make([]*field, len(fds))
	key := false
	for i, fd := range fds {
		f, ok := r.layout.fields[fd.Name]
		if !ok {
			return nil, fmt.Errorf("store: column %q has no field in %v", fd.Name, reflect.TypeFor[V]())
		}
		cols[i] = f
		key = key || fd.Name == r.key
	}
	if !key {
		return nil, fmt.Errorf("store: the statement of %v reads no key column %q", reflect.TypeFor[V](), r.key)
	}
	return cols, nil
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
