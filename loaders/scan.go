package loaders

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// Reading rows. gorm's Find builds each statement anew (clauses, quoting, the model's column
// list with QueryFields) and its Scan matches every column of every row to a struct field
// through the model's schema. A loader's statements are fixed and its models never change, so
// the column list, the statement text and each column's field are worked out once per model
// and statement, and rows are scanned straight into the fields of a gorm model. The statement
// still runs through gorm (Raw(…).Rows()), so its callbacks (statement count, slow-statement
// log) see it as before.

// layout is what a model's rows need, worked out once per model type.
type layout struct {
	table   string           // the model's table, as its TableName says
	columns []string         // its readable columns, in field order (psd is not a field)
	fields  map[string][]int // column name -> index path of its struct field
}

// layouts caches a layout per model type for the process: models do not change at run time.
var layouts sync.Map // reflect.Type -> *layout

// layoutOf returns V's layout, from gorm's own parse of the model.
func layoutOf[V any](db *gorm.DB) (*layout, error) {
	t := reflect.TypeFor[V]()
	if l, ok := layouts.Load(t); ok {
		return l.(*layout), nil
	}
	s, err := schema.Parse(new(V), &sync.Map{}, db.NamingStrategy)
	if err != nil {
		return nil, fmt.Errorf("loaders: model %v: %w", t, err)
	}
	l := &layout{table: s.Table, fields: make(map[string][]int, len(s.Fields))}
	for _, f := range s.Fields {
		if f.DBName == "" || !f.Readable {
			continue
		}
		l.columns = append(l.columns, f.DBName)
		l.fields[f.DBName] = f.StructField.Index
	}
	actual, _ := layouts.LoadOrStore(t, l)
	return actual.(*layout), nil
}

// selectIn is the statement of whereIn: the model's columns, by name, of the rows whose column
// is one of the keys ($1), ordered by order.
func (l *layout) selectIn(column, order string) string {
	quoted := make([]string, len(l.columns))
	for i, c := range l.columns {
		quoted[i] = `"` + c + `"`
	}
	return "SELECT " + strings.Join(quoted, ",") + " FROM " + l.table + " WHERE " + column + " = ANY(?) ORDER BY " + order
}

// statements caches whereIn's statement text per model and column and order.
var statements sync.Map // statementKey -> string

type statementKey struct {
	model         reflect.Type
	column, order string
}

// queryRows runs query with args through gorm and scans each row into a new V, column by
// column into the field of the same name. A column no field of V takes is an error: a
// statement and its model disagree.
func queryRows[V any](ctx context.Context, db *gorm.DB, query string, args ...any) ([]*V, error) {
	l, err := layoutOf[V](db)
	if err != nil {
		return nil, err
	}
	rows, err := db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	index := make([][]int, len(columns))
	for i, c := range columns {
		if index[i] = l.fields[c]; index[i] == nil {
			return nil, fmt.Errorf("loaders: column %q has no field in %v", c, reflect.TypeFor[V]())
		}
	}
	targets := make([]any, len(columns))
	var out []*V
	for rows.Next() {
		v := new(V)
		rv := reflect.ValueOf(v).Elem()
		for i, ix := range index {
			targets[i] = rv.FieldByIndex(ix).Addr().Interface()
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
