// Package models maps the middle platform's account-opening tables (PostgreSQL schema
// "account") to gorm models. The GraphQL schema binds to these types directly: struct fields
// serve the stored values, and small methods serve the legacy date and time strings formatted
// from the timestamptz columns.
//
// Fields named CreatedAt/UpdatedAt (most in the embedded Stamps) carry
// autoCreateTime:false/autoUpdateTime:false: the service never writes these tables, and gorm
// must not invent timestamps for the demo data. The legacy strings are written in the zone the
// context carries (WithZone).
package models
