-- +goose Up
-- How many synchronous standbys confirm the primary's commits now: the service refuses lookups
-- while there is none when AUDIT_REQUIRE_SYNC_STANDBY is set. pg_stat_replication shows a
-- standby's sync_state only to superusers and members of pg_read_all_stats (or pg_monitor);
-- rather than grant the service either (they show every session's queries), this function
-- runs as its owner, the role that applies the migrations, and tells only the count.
-- visible is false when that owner cannot read sync_state: the service then reports, and
-- refuses lookups under AUDIT_REQUIRE_SYNC_STANDBY, rather than trust a count it cannot see.
-- +goose StatementBegin
CREATE FUNCTION audit.sync_standbys(OUT sync integer, OUT visible boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT count(*) FILTER (WHERE sync_state IN ('sync', 'quorum'))::integer,
           count(*) FILTER (WHERE sync_state IS NULL) = 0
    FROM pg_stat_replication
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION audit.sync_standbys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.sync_standbys() TO createinfo_service;

-- +goose Down
DROP FUNCTION audit.sync_standbys();
