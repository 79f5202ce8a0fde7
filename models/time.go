package models

import (
	"sync/atomic"
	"time"
)

// zone is the bank's time zone, in which the legacy date and time strings are written.
var zone atomic.Pointer[time.Location]

func init() {
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		loc = time.FixedZone("Asia/Taipei", 8*60*60) // no tzdata on the machine: Taiwan has no DST
	}
	zone.Store(loc)
}

// SetZone sets the zone of the legacy date and time strings (default Asia/Taipei). Call it at
// start-up, before serving.
func SetZone(loc *time.Location) { zone.Store(loc) }

// Zone returns the zone of the legacy date and time strings.
func Zone() *time.Location { return zone.Load() }

// The legacy layouts of CONTRACT.md.
const (
	layoutDate     = "2006-01-02"
	layoutClock    = "15:04:05"
	layoutDateTime = "2006-01-02 15:04:05"
	layoutISOUTC   = "2006-01-02T15:04:05.000Z"
)

func format(t *time.Time, layout string, loc *time.Location) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.In(loc).Format(layout)
	return &s
}

// dateOf, clockOf and dateTimeOf write t in the bank's zone; isoUTC writes it in UTC with
// milliseconds. A nil or zero t gives nil (JSON null).
func dateOf(t *time.Time) *string     { return format(t, layoutDate, Zone()) }
func clockOf(t *time.Time) *string    { return format(t, layoutClock, Zone()) }
func dateTimeOf(t *time.Time) *string { return format(t, layoutDateTime, Zone()) }
func isoUTC(t *time.Time) *string     { return format(t, layoutISOUTC, time.UTC) }
