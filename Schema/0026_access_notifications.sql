-- Issue 19: servers keep the principal of a bearer token in memory and drop every one they
-- hold on NOTIFY chorus_changes 'access', sent at commit when anything a principal is read from
-- changes: a token revoked (or its role or account changed), an account (role, active), its
-- school and cluster assignments, the schools of a cluster, an initiative's owner. The
-- once-a-minute last_used_at touch is not among them (it would retire every entry each minute).
CREATE FUNCTION notify_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('chorus_changes', 'access');
    RETURN NULL;
END $$;

CREATE TRIGGER access_changed AFTER UPDATE OF revoked_at, role, account_id, token_hash OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access();
CREATE TRIGGER access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access();
CREATE TRIGGER access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access();
CREATE TRIGGER access_changed AFTER INSERT OR UPDATE OF cluster OR DELETE OR TRUNCATE ON schools
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access();
CREATE TRIGGER access_changed AFTER INSERT OR UPDATE OF owner_account_id OR DELETE OR TRUNCATE ON initiatives
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access();
