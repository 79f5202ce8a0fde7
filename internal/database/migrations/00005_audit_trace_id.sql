-- +goose Up
-- The OpenTelemetry trace id of the request, so that an auditor can go from a row to the
-- request's trace (32 hex digits). Rows written before this migration, or by a request
-- outside any trace, have none. When present it is part of the row's hash.
ALTER TABLE audit.lookup ADD COLUMN trace_id text
    CHECK (trace_id ~ '^[0-9a-f]{32}$');

-- +goose Down
ALTER TABLE audit.lookup DROP COLUMN trace_id;
