package store

import (
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
// model, worked out once per model), so a row costs the model, what its fields hold (a
// string's bytes, a *string's string) and no reflection. pgx scans a timestamptz into the
// host's zone, as it did through database/sql: the models hold instants, and the legacy
// strings are written in the configured zone (models.ZoneFrom), never the host's.

// slot is where one column of the current row goes: its field in the current model.
type slot struct{ p unsafe.Pointer }

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
	return nil, fmt.Errorf("no scan for a field of type %v", t)
}

var errNull = errors.New("NULL into a field that is not a pointer")

type textSlot slot

func (s *textSlot) ScanText(v pgtype.Text) error {
	if !v.Valid {
		return errNull
	}
	*(*string)(s.p) = v.String
	return nil
}

type optTextSlot slot

func (s *optTextSlot) ScanText(v pgtype.Text) error {
	f := (**string)(s.p)
	if !v.Valid {
		*f = nil
		return nil
	}
	str := v.String
	*f = &str
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
	n := v.Int64
	*f = &n
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
	b := v.Bool
	*f = &b
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
	*f = &t
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

// newScanner is the scanner of fields (some columns of a statement, in its order); it
// appends their targets to targets.
func newScanner(fields []*field, targets []any) (*scanner, []any) {
	s := &scanner{offsets: make([]uintptr, len(fields)), slots: make([]slot, len(fields))}
	for i, f := range fields {
		s.offsets[i] = f.offset
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
