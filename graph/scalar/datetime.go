// Package scalar holds the GraphQL scalars the schema defines itself.
package scalar

import (
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalDateTime writes an instant as RFC 3339 in UTC (2020-02-11T23:51:28Z), whatever
// the zone the value carries: pgx scans timestamptz into the host's local zone, so without
// this the API's offsets would change with the machine that serves it.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.MarshalTime(t.UTC())
}

// UnmarshalDateTime reads an RFC 3339 instant (the schema takes none as input today).
func UnmarshalDateTime(v any) (time.Time, error) {
	return graphql.UnmarshalTime(v)
}
