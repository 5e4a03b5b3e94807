-- Reads and erasures of personal data by operators at the command line are logged too; they
-- carry no API token, so the log names the actor instead.
ALTER TABLE pii_access_log ALTER COLUMN token_id DROP NOT NULL;
ALTER TABLE pii_access_log ADD COLUMN actor text;
CREATE INDEX participant_contacts_retention ON participant_contacts (retain_until);
