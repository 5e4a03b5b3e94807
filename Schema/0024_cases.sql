-- Closing the loop (issue 17): every comment is a case with an owner, a history and a reply;
-- critical ones alert the district at once; each initiative reports what it did in public.
-- See docs/cases.md.

-- Replies to a comment go under `replies` (already there); news of an initiative a person
-- follows under `updates`; staff alerts under `alerts` (staff, not families: no consent row).
ALTER TYPE contact_purpose ADD VALUE IF NOT EXISTS 'updates';
ALTER TYPE contact_purpose ADD VALUE IF NOT EXISTS 'alerts';

CREATE TYPE case_status AS ENUM ('new', 'assigned', 'answered', 'closed', 'no_action');

-- A team owns cases together (e.g. "Nutrition services"): any member may take one.
CREATE TABLE staff_teams (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE staff_team_members (
    team_id bigint NOT NULL REFERENCES staff_teams (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, account_id)
);

-- A comment, or a text answer to a question marked for follow-up. The text stays in its own
-- record; a case holds who handles it and when. `participant_id` is who can be answered (only
-- with a consented contact; erasing them leaves the case, unanswerable).
CREATE TABLE cases (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source text NOT NULL CHECK (source IN ('feedback', 'answer')),
    source_id bigint NOT NULL,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    school_id bigint REFERENCES schools (id),
    participant_id bigint REFERENCES participants (id) ON DELETE SET NULL,
    language text NOT NULL,
    status case_status NOT NULL DEFAULT 'new',
    owner_account_id bigint REFERENCES staff_accounts (id) ON DELETE SET NULL,
    team_id bigint REFERENCES staff_teams (id) ON DELETE SET NULL,
    critical boolean NOT NULL DEFAULT false,
    -- The terms that matched, or 'sentiment' (never the comment's words beyond the term).
    critical_reason text,
    no_action_reason text CHECK (length(no_action_reason) BETWEEN 1 AND 500),
    opened_at timestamptz NOT NULL DEFAULT now(),
    routed_at timestamptz,
    first_response_at timestamptz,
    closed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_id),
    CHECK (status <> 'no_action' OR no_action_reason IS NOT NULL)
);
CREATE INDEX cases_queue ON cases (critical DESC, opened_at) WHERE status IN ('new', 'assigned');
CREATE INDEX cases_initiative ON cases (initiative_id, opened_at DESC);
CREATE INDEX cases_owner ON cases (owner_account_id, status);

-- What happened to a case, oldest first: routing, assignment, status changes, internal notes
-- and replies. A reply may be published with the (anonymous) comment on the initiative's page.
CREATE TABLE case_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    account_id bigint REFERENCES staff_accounts (id) ON DELETE SET NULL,
    kind text NOT NULL CHECK (kind IN ('opened', 'routed', 'assigned', 'status', 'note', 'reply', 'critical')),
    body text CHECK (length(body) <= 5000),
    published boolean NOT NULL DEFAULT false,
    emailed boolean NOT NULL DEFAULT false,
    CHECK (NOT published OR kind = 'reply')
);
CREATE INDEX case_history_case ON case_history (case_id, id);
CREATE INDEX case_history_published ON case_history (case_id) WHERE published;

-- Routing, first match by position: the case's initiative, school, cluster, theme or a keyword
-- of its text (each set condition must hold) → an account or a team. No match: the
-- initiative's owner.
CREATE TABLE routing_rules (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    position integer NOT NULL,
    initiative_id bigint REFERENCES initiatives (id) ON DELETE CASCADE,
    school_id bigint REFERENCES schools (id) ON DELETE CASCADE,
    cluster text CHECK (length(cluster) BETWEEN 1 AND 100),
    theme text CHECK (length(theme) BETWEEN 1 AND 100),
    keyword text CHECK (length(keyword) BETWEEN 1 AND 100),
    owner_account_id bigint REFERENCES staff_accounts (id) ON DELETE CASCADE,
    team_id bigint REFERENCES staff_teams (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(initiative_id, school_id, cluster, theme, keyword) >= 1),
    CHECK ((owner_account_id IS NULL) <> (team_id IS NULL))
);
CREATE INDEX routing_rules_position ON routing_rules (position, id);

-- The district's own critical terms, over the built-in lists (Scoring/Resources).
CREATE TABLE critical_terms (
    language text NOT NULL,
    term text NOT NULL CHECK (length(term) BETWEEN 2 AND 100),
    added_by bigint REFERENCES staff_accounts (id) ON DELETE SET NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (language, term)
);

-- Who is alerted of a critical case (by email, with a link only).
ALTER TABLE staff_accounts ADD COLUMN receives_alerts boolean NOT NULL DEFAULT false;
-- A message to a staff account (an alert) rather than to a participant.
ALTER TABLE outbox ADD COLUMN account_id bigint REFERENCES staff_accounts (id) ON DELETE SET NULL;
-- A text question whose answers become cases.
ALTER TABLE survey_questions ADD COLUMN follow_up boolean NOT NULL DEFAULT false;
ALTER TABLE survey_questions ADD CONSTRAINT survey_questions_follow_up_text CHECK (NOT follow_up OR kind = 'text');
-- The district's response-time target: share of cases answered within it.
ALTER TABLE district_settings ADD COLUMN response_target_hours integer NOT NULL DEFAULT 48
    CHECK (response_target_hours BETWEEN 1 AND 720);

-- "You said, we did": milestones with a date and how far along, and updates posted by staff,
-- each naming the themes and published comments it answers.
CREATE TABLE initiative_milestones (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    title jsonb NOT NULL CHECK (is_translated(title) AND title <> '{}'),
    due_on date,
    percent_complete integer NOT NULL DEFAULT 0 CHECK (percent_complete BETWEEN 0 AND 100),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiative_milestones_initiative ON initiative_milestones (initiative_id, due_on);

CREATE TABLE initiative_updates (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    title jsonb NOT NULL CHECK (is_translated(title) AND title <> '{}'),
    body jsonb NOT NULL CHECK (is_translated(body) AND body <> '{}'),
    themes text[] NOT NULL DEFAULT '{}',
    case_ids bigint[] NOT NULL DEFAULT '{}',
    posted_at timestamptz NOT NULL DEFAULT now(),
    posted_by bigint REFERENCES staff_accounts (id) ON DELETE SET NULL
);
CREATE INDEX initiative_updates_initiative ON initiative_updates (initiative_id, posted_at DESC);

-- People who asked to hear when an initiative they wrote about moves (consent `updates`).
CREATE TABLE initiative_followers (
    participant_id bigint NOT NULL REFERENCES participant_contacts (participant_id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    since timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (initiative_id, participant_id)
);

-- Responsiveness is part of the scorecard: cached scorecards drop when a case changes.
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();

-- Comments already received become cases, closed as they were never answered in Chorus: the
-- inbox starts with what arrives from now on, and the response time counts only those.
INSERT INTO cases (source, source_id, initiative_id, school_id, participant_id, language, status, opened_at, closed_at, no_action_reason)
SELECT 'feedback', f.id, f.initiative_id, f.school_id, f.participant_id,
       coalesce(f.language, (SELECT default_language FROM district_settings)), 'no_action', f.created_at, now(),
       'received before the inbox existed'
FROM feedback f;
