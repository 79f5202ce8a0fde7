-- +goose Up
-- Who looked, proven (issue 21). role: the caller's role (agent or integration); proof: how
-- its agent was established (token: the provider's signed claim; key: asserted by an API key's
-- holder in X-Agent-Id; none: authentication off in development); asserted_agent: an
-- X-Agent-Id a token caller sent that differs from the token's agent (ignored, kept as
-- evidence); reveal_reason: the reason given for revealApplication; flags: the insider-abuse
-- thresholds the request went over (lookups_per_hour, distinct_customers_per_hour);
-- customers: the HMACs (AUDIT_HMAC_KEY) of the ID numbers of the applications returned, so that
-- the customers an agent saw can be counted without holding a single ID number. Rows
-- written before this migration have none of them; when a row has any, they are part of its
-- MAC.
ALTER TABLE audit.lookup
    ADD COLUMN role           text   NOT NULL DEFAULT '',
    ADD COLUMN proof          text   NOT NULL DEFAULT '',
    ADD COLUMN asserted_agent text   NOT NULL DEFAULT '',
    ADD COLUMN reveal_reason  text   NOT NULL DEFAULT '',
    ADD COLUMN flags          text[] NOT NULL DEFAULT '{}',
    ADD COLUMN customers      text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE audit.lookup DROP COLUMN role, DROP COLUMN proof, DROP COLUMN asserted_agent,
    DROP COLUMN reveal_reason, DROP COLUMN flags, DROP COLUMN customers;
