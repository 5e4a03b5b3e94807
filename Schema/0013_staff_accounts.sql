-- Staff accounts, their sign-in, and the audit log (issue 14): a person behind every change.

CREATE TYPE staff_role AS ENUM ('admin', 'analyst', 'coordinator', 'liaison');

CREATE TABLE staff_accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Kept as typed; unique without regard to case (people type their address both ways).
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    role staff_role NOT NULL,
    active boolean NOT NULL DEFAULT true,
    -- bcrypt (HummingbirdBcrypt); NULL until the person follows their invitation.
    password_hash text,
    -- A TOTP secret (base32) once the person turns the second factor on.
    totp_secret text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_accounts_email ON staff_accounts (lower(email));

-- One-time links: an invitation (set a first password) or a reset. Only the SHA-256 of the
-- secret is kept; a link works once, before it expires.
CREATE TABLE staff_links (
    token_hash bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX staff_links_account ON staff_links (account_id);

-- Server-side sessions (hummingbird-auth's SessionStorage over a PersistDriver kept here), so
-- every server shares them. The key is the SHA-256 of the cookie's session id.
CREATE TABLE staff_sessions (
    key_hash bytea PRIMARY KEY,
    value jsonb NOT NULL,
    -- The session's account, from its value, so deactivating an account ends its sessions.
    account_id bigint GENERATED ALWAYS AS ((value ->> 'account_id')::bigint) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

-- Failed sign-ins, for throttling per account and per client across servers; old rows are
-- purged by maintenance.
CREATE TABLE sign_in_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    client text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (lower(email), at);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client, at);

-- API tokens belong to an account (NULL for those made before accounts, by `chorus token`).
ALTER TABLE api_tokens
    ADD COLUMN account_id bigint REFERENCES staff_accounts (id),
    ADD COLUMN last_used_at timestamptz;

-- Every staff change: who, when, what, the values before and after (contact details masked by
-- the writer), and the request. Append-only: the trigger refuses UPDATE and DELETE to everyone,
-- the application's role included.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    account_id bigint REFERENCES staff_accounts (id),
    -- "account:3", "cli:root", "token:7": readable when the account is gone or there is none.
    actor text NOT NULL,
    action text NOT NULL CHECK (action ~ '^[a-z_]+$'),
    entity text NOT NULL CHECK (entity ~ '^[a-z_]+$'),
    entity_id text,
    old_values jsonb,
    new_values jsonb,
    request_id text
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_account ON audit_log (account_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
