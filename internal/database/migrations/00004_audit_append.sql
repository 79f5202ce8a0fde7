-- +goose Up
-- One round trip per group of audit rows. audit.append takes the chain's lock, checks that the
-- chain's head is the MAC the writer chained the group to, and inserts the group in order, all
-- inside the one statement's transaction; when another writer (another instance) moved the head,
-- it inserts nothing and returns the head, and the writer chains the group again. The MACs are
-- computed by the service under AUDIT_CHAIN_KEY, which the database never holds. The columns
-- are those named by the first row's keys, so a new column needs no new function.
-- +goose StatementBegin
CREATE FUNCTION audit.append(expected_prev text, rows jsonb, OUT last_id bigint, OUT head text)
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
REVOKE ALL ON FUNCTION audit.append(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append(text, jsonb) TO createinfo_service;

-- +goose Down
DROP FUNCTION audit.append(text, jsonb);
