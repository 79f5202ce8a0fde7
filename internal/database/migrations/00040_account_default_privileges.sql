-- +goose Up
-- Tables the bank adds to the schema account later are readable by createinfo_service without
-- a migration of ours: default privileges of the schema's owner (who creates the bank's
-- tables) grant SELECT on every table it creates there from now on. Only a user that may act
-- as that owner can set them; a migration run by another user says so, with the statement the
-- bank's DBA runs once instead (README, "Schema").
-- +goose StatementBegin
DO $$
DECLARE
    owner name := (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'account');
BEGIN
    IF owner IS NULL THEN
        RAISE WARNING 'schema account does not exist: default privileges not set';
    ELSIF pg_has_role(current_user, owner, 'MEMBER') THEN
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA account GRANT SELECT ON TABLES TO createinfo_service', owner);
    ELSE
        RAISE WARNING 'not a member of %, the owner of schema account: have it run ALTER DEFAULT PRIVILEGES FOR ROLE % IN SCHEMA account GRANT SELECT ON TABLES TO createinfo_service', owner, owner;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    owner name := (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'account');
BEGIN
    IF owner IS NOT NULL AND pg_has_role(current_user, owner, 'MEMBER') THEN
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA account REVOKE SELECT ON TABLES FROM createinfo_service', owner);
    END IF;
END
$$;
-- +goose StatementEnd
