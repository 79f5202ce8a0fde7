-- +goose Up
-- audit.append at the cost of one INSERT (issue 19). Same contract as migration 4: it takes the
-- chain's lock, checks that the chain's head is the MAC the writer chained the group to, and
-- inserts the group in order, all in the one statement's transaction; when another writer moved
-- the head it inserts nothing and returns the head. What changed is the INSERT: migration 4
-- built its column list from the first row's keys and ran it through EXECUTE, which PostgreSQL
-- parsed and planned again on every call (about three quarters of the call's time at one row
-- per group: docs/BENCHMARKS.md, "E5"). The column list is now written out, so the statement is
-- planned once per connection like any other of a PL/pgSQL function. Every row names every
-- column listed (the writer's rows do: internal/audit's row); a column added to audit.lookup
-- takes its DEFAULT until a migration replaces this function to list it.
-- The lock and the head stay as they were: the advisory lock and the newest row read through
-- the primary key's index cost about 2.5 µs a call, less than a one-row head table locked FOR
-- UPDATE and updated by every call (about 5.4 µs, one more row version and WAL record per
-- group), and the head read from the trail itself cannot be made to disagree with the trail by
-- whoever may write a head table.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.append(expected_prev text, rows jsonb, OUT last_id bigint, OUT head text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(427121009012); -- "creat": one chain writer at a time, across instances
    SELECT l.hash INTO head FROM audit.lookup l ORDER BY l.id DESC LIMIT 1;
    head := coalesce(head, repeat('0', 64));
    IF head IS DISTINCT FROM expected_prev THEN
        last_id := 0;
        RETURN;
    END IF;
    WITH ins AS (
        INSERT INTO audit.lookup (at, request_id, server_request_id, key_id, agent_id, client_addr, way,
            operation, idno_hmac, phone_hmac, seq_no, result_count, seq_nos, outcome, attempts, keyed,
            prev_hash, hash, trace_id, note, role, proof, asserted_agent, reveal_reason, flags, customers)
        SELECT r.at, r.request_id, r.server_request_id, r.key_id, r.agent_id, r.client_addr, r.way,
            r.operation, r.idno_hmac, r.phone_hmac, r.seq_no, r.result_count, r.seq_nos, r.outcome, r.attempts, r.keyed,
            r.prev_hash, r.hash, r.trace_id, r.note, r.role, r.proof, r.asserted_agent, r.reveal_reason, r.flags, r.customers
        FROM jsonb_populate_recordset(NULL::audit.lookup, rows) WITH ORDINALITY AS r
        ORDER BY r.ordinality
        RETURNING id, hash)
    SELECT i.id, i.hash INTO last_id, head FROM ins i ORDER BY i.id DESC LIMIT 1;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Migration 4's function, its column list built from the first row's keys.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.append(expected_prev text, rows jsonb, OUT last_id bigint, OUT head text)
LANGUAGE plpgsql AS $$
DECLARE
    cols text;
BEGIN
    PERFORM pg_advisory_xact_lock(427121009012); -- "creat": one chain writer at a time, across instances
    SELECT l.hash INTO head FROM audit.lookup l ORDER BY l.id DESC LIMIT 1;
    head := coalesce(head, repeat('0', 64));
    IF head IS DISTINCT FROM expected_prev THEN
        last_id := 0;
        RETURN;
    END IF;
    SELECT string_agg(quote_ident(k), ', ') INTO cols FROM jsonb_object_keys(rows -> 0) AS k;
    EXECUTE format('WITH ins AS (INSERT INTO audit.lookup (%1$s) SELECT %1$s FROM
        jsonb_populate_recordset(NULL::audit.lookup, $1) WITH ORDINALITY AS r ORDER BY r.ordinality
        RETURNING id, hash) SELECT id, hash FROM ins ORDER BY id DESC LIMIT 1', cols)
        INTO last_id, head USING rows;
END
$$;
-- +goose StatementEnd
