-- +goose Up
-- Per-agent counts over the last hour (the reveal cap, the insider-abuse thresholds,
-- cmd/auditreport) read the rows of one agent in a time range.
CREATE INDEX lookup_agent_at ON audit.lookup (agent_id, at);

-- +goose Down
DROP INDEX audit.lookup_agent_at;
