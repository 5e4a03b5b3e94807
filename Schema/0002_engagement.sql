-- Everything stakeholders do: surveys and their answers, feedback, events and attendance,
-- volunteer shifts and sign-ups; participants and, apart from them, their contact details.

ALTER TABLE initiatives ADD COLUMN targets jsonb NOT NULL DEFAULT '{}';

-- Server-side settings, e.g. the key of the contact HMAC (generated on first use).
CREATE TABLE settings (
    key text PRIMARY KEY,
    value bytea NOT NULL
);

-- One row per person we can recognise again: HMAC-SHA-256 of their normalized email or phone,
-- keyed by a server secret, so reach counts unique people without storing who they are here.
CREATE TABLE participants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Personal data, only with consent, kept until its retention date.
CREATE TABLE participant_contacts (
    participant_id bigint PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    name text,
    email text,
    phone text,
    consented_at timestamptz NOT NULL DEFAULT now(),
    retain_until date NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE TABLE surveys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    title_en text NOT NULL,
    title_es text NOT NULL,
    opens_at timestamptz NOT NULL,
    closes_at timestamptz,
    anonymous boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at IS NULL OR closes_at > opens_at)
);
CREATE INDEX surveys_initiative ON surveys (initiative_id);

CREATE TYPE question_kind AS ENUM ('likert_5', 'choice', 'multi_choice', 'rating_0_10', 'text');

CREATE TABLE survey_questions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position integer NOT NULL,
    kind question_kind NOT NULL,
    prompt_en text NOT NULL,
    prompt_es text NOT NULL,
    help_en text,
    help_es text,
    required boolean NOT NULL DEFAULT false,
    choices jsonb NOT NULL DEFAULT '[]',
    UNIQUE (survey_id, position)
);

CREATE TYPE scoring_state AS ENUM ('pending', 'scored');

CREATE TABLE responses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id bigint NOT NULL REFERENCES surveys (id),
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    school_id bigint REFERENCES schools (id),
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    stakeholder_group stakeholder_group NOT NULL,
    language text NOT NULL CHECK (language IN ('en', 'es')),
    receipt text NOT NULL UNIQUE,
    submitted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX responses_initiative_time ON responses (initiative_id, submitted_at DESC, id DESC);
CREATE INDEX responses_time ON responses (submitted_at DESC, id DESC);

CREATE TABLE answers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id bigint NOT NULL REFERENCES survey_questions (id),
    number integer,
    text text,
    choices text[],
    -- Text answers are scored by the job queue; other kinds carry no text to score.
    scoring_state scoring_state,
    UNIQUE (response_id, question_id),
    CHECK ((text IS NULL) = (scoring_state IS NULL))
);

CREATE TABLE feedback (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    school_id bigint REFERENCES schools (id),
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    stakeholder_group stakeholder_group,
    language text CHECK (language IN ('en', 'es')),
    comment text NOT NULL,
    receipt text NOT NULL UNIQUE,
    scoring_state scoring_state NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_initiative_time ON feedback (initiative_id, created_at DESC, id DESC);
CREATE INDEX feedback_time ON feedback (created_at DESC, id DESC);

CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('family_night', 'workshop', 'meeting', 'conference', 'community', 'training', 'other')),
    school_id bigint REFERENCES schools (id),
    location text,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer CHECK (capacity > 0),
    recorded_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_time ON events (starts_at DESC, id DESC);

CREATE TABLE event_initiatives (
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    PRIMARY KEY (event_id, initiative_id)
);
CREATE INDEX event_initiatives_initiative ON event_initiatives (initiative_id);

CREATE TABLE attendance (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('checkin', 'headcount')),
    stakeholder_group stakeholder_group NOT NULL,
    count integer NOT NULL CHECK (count >= 0),
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    recorded_by bigint,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'headcount' OR count = 1)
);
CREATE INDEX attendance_event ON attendance (event_id, id);

CREATE TABLE volunteer_opportunities (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    school_id bigint REFERENCES schools (id),
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE volunteer_shifts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    opportunity_id bigint NOT NULL REFERENCES volunteer_opportunities (id) ON DELETE CASCADE,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer NOT NULL CHECK (capacity > 0),
    waitlist boolean NOT NULL DEFAULT true,
    CHECK (ends_at > starts_at)
);

CREATE TYPE signup_status AS ENUM ('confirmed', 'waitlisted', 'cancelled', 'attended');

CREATE TABLE signups (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shift_id bigint NOT NULL REFERENCES volunteer_shifts (id) ON DELETE CASCADE,
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    stakeholder_group stakeholder_group NOT NULL,
    status signup_status NOT NULL,
    hours_reported numeric(5, 2) CHECK (hours_reported BETWEEN 0 AND 24),
    hours_approved numeric(5, 2) CHECK (hours_approved BETWEEN 0 AND 24),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signups_shift ON signups (shift_id, status);
-- One active sign-up per person and shift.
CREATE UNIQUE INDEX signups_one_per_person ON signups (shift_id, participant_id) WHERE status <> 'cancelled';

CREATE TYPE api_role AS ENUM ('admin', 'liaison');

CREATE TABLE api_tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    role api_role NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- A POST's outcome under its Idempotency-Key, written in the same transaction as the record.
CREATE TABLE idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    status integer NOT NULL,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

CREATE TABLE pii_access_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_id bigint NOT NULL REFERENCES api_tokens (id),
    participant_id bigint,
    action text NOT NULL,
    accessed_at timestamptz NOT NULL DEFAULT now()
);
