-- The job queue and what scoring jobs produce.

CREATE TYPE job_state AS ENUM ('available', 'running', 'completed', 'retryable', 'discarded');

CREATE TABLE jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    priority smallint NOT NULL DEFAULT 0,
    state job_state NOT NULL DEFAULT 'available',
    attempt integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
    run_at timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    locked_by text,
    last_error text,
    unique_key text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    completed_at timestamptz
);
-- The claim query's index: only jobs that may run, in claim order.
CREATE INDEX jobs_ready ON jobs (priority, run_at, id) WHERE state IN ('available', 'retryable');
-- Leases to rescue.
CREATE INDEX jobs_running ON jobs (locked_until) WHERE state = 'running';
-- Pruning.
CREATE INDEX jobs_finished ON jobs (state, completed_at) WHERE state IN ('completed', 'discarded');
-- A unique key makes a second push a no-op while the first job is still to be done.
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable');

CREATE TABLE text_scores (
    source text NOT NULL CHECK (source IN ('feedback', 'answer')),
    source_id bigint NOT NULL,
    scorer_version text NOT NULL,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    language text NOT NULL,
    neg double precision NOT NULL,
    neu double precision NOT NULL,
    pos double precision NOT NULL,
    compound double precision NOT NULL,
    keyphrases jsonb NOT NULL,
    themes jsonb NOT NULL,
    -- How many times this text was scored with this version: 1 unless something ran twice.
    times_scored integer NOT NULL DEFAULT 1,
    scored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, source_id, scorer_version)
);
CREATE INDEX text_scores_initiative ON text_scores (initiative_id, scorer_version);
