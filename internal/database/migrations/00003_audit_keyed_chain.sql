-- +goose Up
-- The audit chain becomes keyed: each new row's hash is an HMAC-SHA-256 under AUDIT_CHAIN_KEY,
-- a key the database does not hold, so that nobody who can only write the table can edit a row
-- and recompute the chain, or append a row that verifies. Rows written before this migration
-- keep their plain SHA-256 links (keyed = false) and may only precede the keyed ones.
-- server_request_id is the server's own unique id of the request (request_id is what the
-- caller sent in X-Request-Id); attempts is how many refused requests one aggregated row
-- stands for (1 for every other row).
ALTER TABLE audit.lookup
    ADD COLUMN server_request_id text    NOT NULL DEFAULT '',
    ADD COLUMN attempts          integer NOT NULL DEFAULT 1,
    ADD COLUMN keyed             boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE audit.lookup DROP COLUMN server_request_id, DROP COLUMN attempts, DROP COLUMN keyed;
