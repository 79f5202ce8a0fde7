-- +goose Up
-- A row may note why it was written: the audit writer's own row recording a break in the
-- chain (outcome CHAIN_BREAK) says which head it expected and which it found. NULL on every
-- other row. The chain's MAC covers it when it is set.
ALTER TABLE audit.lookup ADD COLUMN note text;

-- +goose Down
ALTER TABLE audit.lookup DROP COLUMN note;
