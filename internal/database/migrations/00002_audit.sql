-- +goose Up
-- Version 1 was the bank's account schema, which the service reads but does not own: it is
-- now a fixture of the demo, the tests and the benchmarks (tools/demo/account.sql).
-- The audit trail: one row per lookup and per refused attempt, the only thing the service
-- writes. Each row carries the hash of the one before it, so an edited or removed row breaks
-- the chain (cmd/auditverify). Phone and ID numbers are stored as keyed HMACs, never in clear.
CREATE SCHEMA audit;

CREATE TABLE audit.lookup (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    request_id   text NOT NULL,
    key_id       text NOT NULL DEFAULT '',
    agent_id     text NOT NULL DEFAULT '',
    client_addr  text NOT NULL DEFAULT '',
    way          text NOT NULL,          -- graphql or legacy
    operation    text NOT NULL DEFAULT '',
    idno_hmac    text NOT NULL DEFAULT '',
    phone_hmac   text NOT NULL DEFAULT '',
    seq_no       text NOT NULL DEFAULT '', -- the application id asked for (not personal data)
    result_count integer NOT NULL DEFAULT 0,
    seq_nos      text[] NOT NULL DEFAULT '{}',
    outcome      text NOT NULL,          -- OK or the error code
    prev_hash    text NOT NULL,
    hash         text NOT NULL
);

-- Append-only for everyone, the table's owner included.
-- +goose StatementBegin
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.lookup is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER lookup_append_only BEFORE UPDATE OR DELETE ON audit.lookup
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER lookup_no_truncate BEFORE TRUNCATE ON audit.lookup
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- The service's role (DB_ROLE=createinfo_service): reads the account schema, appends to the
-- audit trail, nothing else. Roles are per cluster: the first database to migrate creates it,
-- and databases migrating at the same moment must not fail on the race.
-- +goose StatementBegin
DO $$
BEGIN
    CREATE ROLE createinfo_service NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- already there
END
$$;
-- +goose StatementEnd
GRANT USAGE ON SCHEMA account TO createinfo_service;
GRANT SELECT ON ALL TABLES IN SCHEMA account TO createinfo_service;
GRANT USAGE ON SCHEMA audit TO createinfo_service;
GRANT SELECT, INSERT ON audit.lookup TO createinfo_service;
GRANT USAGE ON SEQUENCE audit.lookup_id_seq TO createinfo_service;

-- +goose Down
REVOKE ALL ON ALL TABLES IN SCHEMA account FROM createinfo_service;
REVOKE ALL ON SCHEMA account FROM createinfo_service;
DROP SCHEMA audit CASCADE;
