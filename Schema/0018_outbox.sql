-- Reaching families (issue 16): what each person agreed to be contacted about, and an outbox of
-- messages written in the transaction that causes them and delivered by a job. See
-- docs/messages.md.

CREATE TYPE contact_purpose AS ENUM ('volunteering', 'events', 'surveys', 'replies');
CREATE TYPE contact_channel AS ENUM ('email', 'sms');

-- The language a person wrote in: messages to them are in it.
ALTER TABLE participant_contacts ADD COLUMN language text NOT NULL DEFAULT 'en';
-- A permanent delivery failure (a bounce): no more mail to this address until it changes.
ALTER TABLE participant_contacts ADD COLUMN email_undeliverable_at timestamptz;

-- Consent per purpose and channel. An unsubscribe sets withdrawn_at (kept as evidence of when);
-- a new consent for the same purpose clears it. Erasing the contact erases these too.
CREATE TABLE contact_consents (
    participant_id bigint NOT NULL REFERENCES participant_contacts (participant_id) ON DELETE CASCADE,
    purpose contact_purpose NOT NULL,
    channel contact_channel NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    PRIMARY KEY (participant_id, purpose, channel)
);

CREATE TYPE message_state AS ENUM ('pending', 'sending', 'sent', 'held', 'suppressed', 'failed');

-- One message to one person. The address is looked up at delivery, never copied here, so an
-- unsubscribe, a bounce or an erasure before delivery is honoured; `data` holds ids and public
-- facts only (a shift's id and times), never personal data.
CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    channel contact_channel NOT NULL,
    purpose contact_purpose NOT NULL,
    template text NOT NULL CHECK (template ~ '^[a-z_]{1,60}$'),
    language text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    -- One message per cause (e.g. 'reminder:signup:12'): a second scheduler run adds nothing.
    dedupe_key text UNIQUE,
    state message_state NOT NULL DEFAULT 'pending',
    send_after timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 0,
    -- Why it was not sent (held, suppressed, failed), or the last transient error.
    reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX outbox_state ON outbox (state, created_at);
CREATE INDEX outbox_participant ON outbox (participant_id);

-- Texts staff changed in the console; absent, the built-in text of the language is used.
CREATE TABLE message_texts (
    template text NOT NULL,
    language text NOT NULL,
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint REFERENCES staff_accounts (id) ON DELETE SET NULL,
    PRIMARY KEY (template, language)
);

-- Volunteer reminders: hours before the shift (NULL: no reminder). Default a day.
ALTER TABLE volunteer_opportunities ADD COLUMN reminder_hours int DEFAULT 24 CHECK (reminder_hours BETWEEN 1 AND 336);
