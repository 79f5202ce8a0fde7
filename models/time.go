package models

import (
	"context"
	"sync"
	"time"
	_ "time/tzdata" // the zone database is in the binary: a host without one changes nothing
)

// The legacy date and time strings are written in the bank's zone (TIME_ZONE), which the
// GraphQL layer puts in the context of each operation (WithZone); the models hold no zone of
// their own. The two ISO-8601 strings (agreedDate, acverinputDate) are always UTC.

// DefaultZoneName is the bank's zone, the default of TIME_ZONE (internal/config): the one
// place it is written.
const DefaultZoneName = "Asia/Taipei"

// DefaultZone is DefaultZoneName's location, the zone of the legacy strings when the context
// names none.
func DefaultZone() *time.Location { return defaultZone() }

var defaultZone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultZoneName)
	if err != nil {
		panic(err) // cannot happen: time/tzdata is embedded
	}
	return loc
})

type zoneKey struct{}

// WithZone returns ctx in which the legacy date and time strings are written in loc.
func WithZone(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, loc)
}

// ZoneFrom returns the zone of the legacy strings in ctx: the one WithZone gave, DefaultZone
// when none.
func ZoneFrom(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(zoneKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return DefaultZone()
}

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

// dateOf, clockOf and dateTimeOf write t in the zone of ctx; isoUTC writes it in UTC with
// milliseconds. A nil or zero t gives nil (JSON null).
func dateOf(ctx context.Context, t *time.Time) *string {
	return format(t, layoutDate, ZoneFrom(ctx))
}
func clockOf(ctx context.Context, t *time.Time) *string {
	return format(t, layoutClock, ZoneFrom(ctx))
}
func dateTimeOf(ctx context.Context, t *time.Time) *string {
	return format(t, layoutDateTime, ZoneFrom(ctx))
}
func isoUTC(t *time.Time) *string { return format(t, layoutISOUTC, time.UTC) }

// Stamps are a row's creation and update times, as the account tables record them. Embedded
// in a model, they serve its createdAt/updatedAt and the legacy strings written from them:
// createDate/createTime/updateDate/updateTime, or createDateTime/updateDateTime where the
// legacy contract joins date and time.
type Stamps struct {
	CreatedAt time.Time  `gorm:"column:create_time;autoCreateTime:false"`
	UpdatedAt *time.Time `gorm:"column:update_time;autoUpdateTime:false"`
}

func (s *Stamps) CreateDate(ctx context.Context) *string     { return dateOf(ctx, &s.CreatedAt) }
func (s *Stamps) CreateTime(ctx context.Context) *string     { return clockOf(ctx, &s.CreatedAt) }
func (s *Stamps) UpdateDate(ctx context.Context) *string     { return dateOf(ctx, s.UpdatedAt) }
func (s *Stamps) UpdateTime(ctx context.Context) *string     { return clockOf(ctx, s.UpdatedAt) }
func (s *Stamps) CreateDateTime(ctx context.Context) *string { return dateTimeOf(ctx, &s.CreatedAt) }
func (s *Stamps) UpdateDateTime(ctx context.Context) *string { return dateTimeOf(ctx, s.UpdatedAt) }
