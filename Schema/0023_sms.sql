-- Text messages through the district's gateway (issue 16, build 3): a number the gateway
-- refused for good is not tried again, as an email address that bounced is not.
ALTER TABLE participant_contacts ADD COLUMN phone_undeliverable_at timestamptz;
