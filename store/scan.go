package store

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5/pgtype"
)

// Scanning rows into the models. Each column of a model is scanned by a slot: a scan target
// of pgx (one of its pgtype scanner interfaces) that writes the value into the field it is
// pointed at. A statement's slots and their targets are made once per statement; for each row
// the store makes the model and points every slot at its field (the field's offset in the
// model, worked out once per model), with no reflection. What the fields point at (a string's
// bytes, the string of a *string, the time of a *time.Time) is carved out of the statement's
// arena, so a row costs the model alone, and a statement a few chunks besides. pgx scans a timestamptz into the
// host's zone, as it did through database/sql: the models hold instants, and the legacy
// strings are written in the configured zone (models.ZoneFrom), never the host's.

// slot is where one column of the current row goes: its field in the current model, and the
// statement's arena for what the field points at.
type slot struct {
	p unsafe.Pointer
	a *arena
}

// arena holds what the rows of one statement point at, in chunks allocated as they fill and
// never written again once handed out (a row's strings point into them), each twice the last
// up to a bound: a read of a few rows allocates little, one of hundreds a few chunks. The
// rows of a statement are kept, and dropped, together (the request's, or the requests' that
// shared it), so a chunk outlives no row that needs it by long.
type arena struct {
	bytes []byte
	strs  []string
	times []time.Time
	ints  []int64
	bools []bool
}

const (
	firstChunk = 8    // cells (or 32 bytes) in a statement's first chunk of each kind
	maxChunk   = 256  // cells (or 1 KB… 8 KB of bytes) in the largest
	ownBytes   = 1024 // a longer string gets an allocation of its own
)

// grow is the capacity of the next chunk after one of capacity c.
func grow(c int) int { return min(max(2*c, firstChunk), maxChunk) }

// text is b (driver memory, valid until the next row) as a string in the arena.
func (a *arena) text(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case len(b) > ownBytes:
		return string(b)
	case len(b) > cap(a.bytes)-len(a.bytes):
		a.bytes = make([]byte, 0, max(32*grow(cap(a.bytes)/32), len(b)))
	}
	n := len(a.bytes)
	a.bytes = append(a.bytes, b...)
	return unsafe.String(&a.bytes[n], len(b))
}

// cell returns a new cell of the chunk *chunk, allocating the next chunk when it is full.
func cell[T any](chunk *[]T, v T) *T {
	if len(*chunk) == cap(*chunk) {
		*chunk = make([]T, 0, grow(cap(*chunk)))
	}
	*chunk = append(*chunk, v)
	return &(*chunk)[len(*chunk)-1]
}

// kind makes the scan target of a slot for one Go field type.
type kind func(s *slot) any

// kindOf is the kind of a field of type t: the types the models use. Another type is a
// declaration error (By, Raw: at start), until it has a slot here.
func kindOf(t reflect.Type) (kind, error) {
	switch t {
	case reflect.TypeFor[string]():
		return func(s *slot) any { return (*textSlot)(s) }, nil
	case reflect.TypeFor[*string]():
		return func(s *slot) any { return (*optTextSlot)(s) }, nil
	case reflect.TypeFor[int64]():
		return func(s *slot) any { return (*int64Slot)(s) }, nil
	case reflect.TypeFor[*int64]():
		return func(s *slot) any { return (*optInt64Slot)(s) }, nil
	case reflect.TypeFor[bool]():
		return func(s *slot) any { return (*boolSlot)(s) }, nil
	case reflect.TypeFor[*bool]():
		return func(s *slot) any { return (*optBoolSlot)(s) }, nil
	case reflect.TypeFor[time.Time]():
		return func(s *slot) any { return (*timeSlot)(s) }, nil
	case reflect.TypeFor[*time.Time]():
		return func(s *slot) any { return (*optTimeSlot)(s) }, nil
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[sql.Scanner]()) {
		return func(s *slot) any { return &scannerSlot{s, t} }, nil
	}
	return nil, fmt.Errorf("no scan for a field of type %v", t)
}

// scannerSlot takes a column into a field whose pointer scans itself (a sql.Scanner: the
// resends' models.Texts, a json_agg column): pgx hands it the column's value, NULL as nil.
// It costs a reflect.NewAt per row, for the few such fields.
type scannerSlot struct {
	s *slot
	t reflect.Type
}

func (s *scannerSlot) Scan(src any) error {
	return reflect.NewAt(s.t, s.s.p).Interface().(sql.Scanner).Scan(src)
}

var errNull = errors.New("NULL into a field that is not a pointer")

// textSlot and optTextSlot take text columns (text, varchar…: pgx's TextCodec) as bytes
// (its BytesScanner: NULL is nil), copied into the arena. They are deliberately not
// TextScanners: pgx would make a string of every value before handing it over.
type textSlot slot

func (s *textSlot) ScanBytes(b []byte) error {
	if b == nil {
		return errNull
	}
	*(*string)(s.p) = s.a.text(b)
	return nil
}

type optTextSlot slot

func (s *optTextSlot) ScanBytes(b []byte) error {
	f := (**string)(s.p)
	if b == nil {
		*f = nil
		return nil
	}
	*f = cell(&s.a.strs, s.a.text(b))
	return nil
}

type int64Slot slot

func (s *int64Slot) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return errNull
	}
	*(*int64)(s.p) = v.Int64
	return nil
}

type optInt64Slot slot

func (s *optInt64Slot) ScanInt64(v pgtype.Int8) error {
	f := (**int64)(s.p)
	if !v.Valid {
		*f = nil
		return nil
	}
	*f = cell(&s.a.ints, v.Int64)
	return nil
}

type boolSlot slot

func (s *boolSlot) ScanBool(v pgtype.Bool) error {
	if !v.Valid {
		return errNull
	}
	*(*bool)(s.p) = v.Bool
	return nil
}

type optBoolSlot slot

func (s *optBoolSlot) ScanBool(v pgtype.Bool) error {
	f := (**bool)(s.p)
	if !v.Valid {
		*f = nil
		return nil
	}
	*f = cell(&s.a.bools, v.Bool)
	return nil
}

// timeSlot and optTimeSlot take timestamptz and timestamp columns; an infinite time has no
// time.Time, as through database/sql.
type timeSlot slot

func (s *timeSlot) ScanTimestamptz(v pgtype.Timestamptz) error {
	return s.set(v.Time, v.InfinityModifier, v.Valid)
}

func (s *timeSlot) ScanTimestamp(v pgtype.Timestamp) error {
	return s.set(v.Time, v.InfinityModifier, v.Valid)
}

func (s *timeSlot) set(t time.Time, inf pgtype.InfinityModifier, valid bool) error {
	switch {
	case !valid:
		return errNull
	case inf != pgtype.Finite:
		return errInfinite
	}
	*(*time.Time)(s.p) = t
	return nil
}

var errInfinite = errors.New("an infinite time into a time.Time")

type optTimeSlot slot

func (s *optTimeSlot) ScanTimestamptz(v pgtype.Timestamptz) error {
	return s.set(v.Time, v.InfinityModifier, v.Valid)
}

func (s *optTimeSlot) ScanTimestamp(v pgtype.Timestamp) error {
	return s.set(v.Time, v.InfinityModifier, v.Valid)
}

func (s *optTimeSlot) set(t time.Time, inf pgtype.InfinityModifier, valid bool) error {
	f := (**time.Time)(s.p)
	switch {
	case !valid:
		*f = nil
		return nil
	case inf != pgtype.Finite:
		return errInfinite
	}
	*f = cell(&s.a.times, t)
	return nil
}

// offsetOf is the offset in t of the field at index (through embedded structs, never through
// a pointer: the field must be inside the model's own memory).
func offsetOf(t reflect.Type, index []int) (uintptr, error) {
	var off uintptr
	for i, x := range index {
		if t.Kind() != reflect.Struct {
			return 0, fmt.Errorf("field path %v goes through a %v", index[:i], t)
		}
		f := t.Field(x)
		off += f.Offset
		t = f.Type
	}
	return off, nil
}

// scanner scans the rows of one statement into new models of one type: its columns' slots,
// pointed at each new model's fields in turn.
type scanner struct {
	offsets []uintptr
	slots   []slot
}

// newScanner is the scanner of fields (some columns of a statement, in its order), into a's
// chunks; it appends their targets to targets.
func newScanner(fields []*field, a *arena, targets []any) (*scanner, []any) {
	s := &scanner{offsets: make([]uintptr, len(fields)), slots: make([]slot, len(fields))}
	for i, f := range fields {
		s.offsets[i] = f.offset
		s.slots[i].a = a
		targets = append(targets, f.kind(&s.slots[i]))
	}
	return s, targets
}

// point points the slots at the fields of the model at base.
func (s *scanner) point(base unsafe.Pointer) {
	for i := range s.slots {
		s.slots[i].p = unsafe.Add(base, s.offsets[i])
	}
}
