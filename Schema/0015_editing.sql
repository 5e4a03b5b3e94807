-- Editing what staff set up (issue 14): survey question versions, waves, cancellations.

-- A question's wording can change once answers exist; each answer keeps the version it was
-- given to, and the earlier wordings are kept here so results can show them.
ALTER TABLE survey_questions
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- The same question in the wave this survey was duplicated from (results' trend, issue 15).
    ADD COLUMN previous_question_id bigint REFERENCES survey_questions (id) ON DELETE SET NULL;
-- Reordering swaps positions inside one statement's transaction.
ALTER TABLE survey_questions DROP CONSTRAINT survey_questions_survey_id_position_key,
    ADD CONSTRAINT survey_questions_survey_id_position_key UNIQUE (survey_id, position) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE question_versions (
    question_id bigint NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    version integer NOT NULL,
    prompt jsonb NOT NULL,
    help jsonb,
    choices jsonb NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (question_id, version)
);

ALTER TABLE answers ADD COLUMN question_version integer NOT NULL DEFAULT 1;

ALTER TABLE surveys
    ADD COLUMN previous_survey_id bigint REFERENCES surveys (id) ON DELETE SET NULL,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Cancelled, with a reason, rather than deleted once people signed up or came.
ALTER TABLE events
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 500),
    ADD CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));
ALTER TABLE volunteer_opportunities
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 500),
    ADD CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));
ALTER TABLE volunteer_shifts
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 500),
    ADD CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));

-- A survey is a draft until published: the console builds and previews it before families can
-- answer. Surveys made before this were published when made; a survey written without saying
-- (the demo, an import) is published, and only the application makes drafts (NULL).
ALTER TABLE surveys ADD COLUMN published_at timestamptz DEFAULT now();
UPDATE surveys SET published_at = created_at;
