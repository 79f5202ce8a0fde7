package database

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CheckLeastPrivilege refuses a connecting (login) user who could rewrite the audit trail
// behind the append-only trigger: a superuser, a member of the audit table's owner (who may
// disable or drop the trigger), of the audit schema's owner (who may drop the table), or of
// the trigger function's owner (who may replace its body), one with CREATEROLE (which, before
// PostgreSQL 16, may grant itself any of those roles), or one allowed to set
// session_replication_role (which turns triggers off). SET ROLE does not help: the session
// user can always switch back. Production must connect as a login role holding only
// createinfo_service's grants (README).
func CheckLeastPrivilege(ctx context.Context, db *sql.DB) error {
	var (
		user                                                           string
		super, createRole, owner, schemaOwner, fnOwner, replicationSet bool
	)
	err := db.QueryRowContext(ctx, `SELECT session_user, r.rolsuper, r.rolcreaterole,
			pg_has_role(session_user, c.relowner, 'MEMBER'),
			pg_has_role(session_user, n.nspowner, 'MEMBER'),
			EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
				WHERE t.tgrelid = c.oid AND pg_has_role(session_user, p.proowner, 'MEMBER')),
			has_parameter_privilege(session_user, 'session_replication_role', 'SET')
		FROM pg_roles r, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE r.rolname = session_user AND c.oid = 'audit.lookup'::regclass`).
		Scan(&user, &super, &createRole, &owner, &schemaOwner, &fnOwner, &replicationSet)
	if err != nil {
		return fmt.Errorf("database: checking the connecting user's privileges: %w", err)
	}
	var why []string
	if super {
		why = append(why, "is a superuser")
	}
	if owner {
		why = append(why, "owns (or may act as the owner of) audit.lookup")
	}
	if schemaOwner && !owner {
		why = append(why, "owns (or may act as the owner of) the schema audit")
	}
	if fnOwner && !owner {
		why = append(why, "owns (or may act as the owner of) the audit trigger's function")
	}
	if createRole && !super {
		why = append(why, "has CREATEROLE")
	}
	if replicationSet && !super {
		why = append(why, "may set session_replication_role")
	}
	if len(why) > 0 {
		return fmt.Errorf("database: refusing to serve in production: the connecting user %q %s, so it could "+
			"bypass the audit trail's append-only trigger; connect as a login role granted only createinfo_service (see README)",
			user, strings.Join(why, " and "))
	}
	return nil
}
