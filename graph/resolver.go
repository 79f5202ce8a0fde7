package graph

import (
	"log/slog"

	"createinfo/internal/audit"
	"createinfo/store"
)

// Resolver holds what every resolver shares. Per-request state (the loaders) lives in the
// request context, never here.
type Resolver struct {
	// Store is what the root lookup reads the applications through (the loaders' store).
	Store *store.DB
	// MaxResults is the most applications a lookup may match (TOO_MANY_RESULTS beyond).
	MaxResults int
	// Audit keys the HMACs of the audit record; nil when lookups are not audited.
	Audit *audit.Writer
	// RevealsPerHour caps each agent's revealApplication (0: no cap).
	RevealsPerHour int
	// Thresholds raise the insider-abuse signal (insider.go).
	Thresholds Thresholds
	Log        *slog.Logger

	reveals revealSlots // the agents' reveals in flight (reveal.go)
}
