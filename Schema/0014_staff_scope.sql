-- What each staff account may reach (issue 14): a coordinator owns initiatives, a liaison is
-- assigned schools or whole clusters. Admins and analysts have no scope: they reach everything.
ALTER TABLE initiatives ADD COLUMN owner_account_id bigint REFERENCES staff_accounts (id);
CREATE INDEX initiatives_owner ON initiatives (owner_account_id);

CREATE TABLE staff_assignments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    school_id bigint REFERENCES schools (id),
    cluster text CHECK (length(cluster) BETWEEN 1 AND 100),
    -- One school or one whole cluster per row.
    CHECK ((school_id IS NULL) <> (cluster IS NULL))
);
CREATE UNIQUE INDEX staff_assignments_school ON staff_assignments (account_id, school_id) WHERE school_id IS NOT NULL;
CREATE UNIQUE INDEX staff_assignments_cluster ON staff_assignments (account_id, cluster) WHERE cluster IS NOT NULL;

-- A token owned by an account acts with the account's role and scope as they are at each
-- request (so a role change or a deactivation reaches its tokens at once); only the older,
-- unowned tokens carry a role of their own.
ALTER TABLE api_tokens ALTER COLUMN role DROP NOT NULL;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_or_account CHECK ((role IS NULL) <> (account_id IS NULL));

-- A read of contact details names the account behind it (a console page has no token).
ALTER TABLE pii_access_log ALTER COLUMN token_id DROP NOT NULL, ADD COLUMN account_id bigint REFERENCES staff_accounts (id);
