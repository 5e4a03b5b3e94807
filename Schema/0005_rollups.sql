-- Scorecard rollups: per initiative, UTC day and school, kept current by `rollup-day` jobs.
-- initiative_id 0 is the whole district (every record once, whatever its initiatives);
-- school_id 0 is "no school". See docs/scorecard.md, section Rollups.

CREATE TABLE rollup_activity (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    responses integer NOT NULL,
    feedback integer NOT NULL,
    events integer NOT NULL,
    capacity bigint NOT NULL,
    attendance bigint NOT NULL,
    signups integer NOT NULL,
    waitlisted integer NOT NULL,
    attended integer NOT NULL,
    hours numeric NOT NULL,
    -- People not known by id: anonymous responses, comments and sign-ups one each, headcounts by count.
    anonymous_people bigint NOT NULL,
    -- Rows that engage people (responses, comments, attendance rows, sign-ups): > 0 means the
    -- school was touched by the initiative that day.
    engagements integer NOT NULL,
    PRIMARY KEY (initiative_id, day, school_id)
);

-- Known people, once per initiative, day and school: reach counts them distinct over a period.
CREATE TABLE rollup_people (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    participant_id bigint NOT NULL,
    PRIMARY KEY (initiative_id, day, school_id, participant_id)
);

CREATE TABLE rollup_sentiment (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    language text NOT NULL,
    scored integer NOT NULL,
    -- Exact (numeric) so a mean over days equals the mean over the records.
    compound_sum numeric NOT NULL,
    positive integer NOT NULL,
    neutral integer NOT NULL,
    negative integer NOT NULL,
    PRIMARY KEY (initiative_id, day, school_id, language)
);

CREATE TABLE rollup_topics (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('themes', 'keyphrases')),
    name text NOT NULL,
    mentions integer NOT NULL,
    -- The day's newest three comment (feedback) ids mentioning it, newest first.
    examples bigint[] NOT NULL,
    PRIMARY KEY (initiative_id, kind, day, school_id, name)
);

-- What the per-day recomputation reads.
CREATE INDEX volunteer_shifts_time ON volunteer_shifts (starts_at);
CREATE INDEX text_scores_source ON text_scores (source_id, source) INCLUDE (scorer_version);

-- Pending rollup jobs of a day, found by the job that folds them into one recomputation.
CREATE INDEX jobs_rollup_pending ON jobs ((payload ->> 'day')) WHERE kind = 'rollup-day' AND state IN ('available', 'retryable');

-- Marks days dirty: one `rollup-day` job per day a statement touched. No unique key on purpose:
-- a pending job may already be claimed before this transaction commits, so only a job made
-- visible by this commit is sure to see it. The job folds the day's other pending jobs into
-- one recomputation (Rollups.recompute).
CREATE FUNCTION rollup_mark_days(days date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO jobs (kind, payload, max_attempts)
    SELECT 'rollup-day', jsonb_build_object('day', d::text), 25 FROM (SELECT DISTINCT unnest(days) AS d) x WHERE d IS NOT NULL;
    SELECT pg_notify('chorus_jobs', '') WHERE cardinality(days) > 0;
$$;

CREATE FUNCTION utc_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT (t AT TIME ZONE 'UTC')::date $$;

-- One trigger function per table: the days its changed rows belong to (old and new rows).
CREATE FUNCTION rollup_dirty_responses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(submitted_at) FROM new_rows)); END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(submitted_at) FROM old_rows)); END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION rollup_dirty_feedback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(created_at) FROM new_rows)); END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(created_at) FROM old_rows)); END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION rollup_dirty_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(starts_at) FROM new_rows)); END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(starts_at) FROM old_rows)); END IF;
    RETURN NULL;
END $$;

-- attendance and event_initiatives: the day of their event.
CREATE FUNCTION rollup_dirty_by_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM rollup_mark_days(ARRAY(SELECT utc_day(e.starts_at) FROM events e WHERE e.id IN (SELECT event_id FROM new_rows)));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM rollup_mark_days(ARRAY(SELECT utc_day(e.starts_at) FROM events e WHERE e.id IN (SELECT event_id FROM old_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION rollup_dirty_signups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM rollup_mark_days(ARRAY(SELECT utc_day(s.starts_at) FROM volunteer_shifts s WHERE s.id IN (SELECT shift_id FROM new_rows)));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM rollup_mark_days(ARRAY(SELECT utc_day(s.starts_at) FROM volunteer_shifts s WHERE s.id IN (SELECT shift_id FROM old_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION rollup_dirty_shifts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(starts_at) FROM new_rows)); END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM rollup_mark_days(ARRAY(SELECT utc_day(starts_at) FROM old_rows)); END IF;
    RETURN NULL;
END $$;

-- An opportunity moving to another initiative or school moves all its shifts.
CREATE FUNCTION rollup_dirty_opportunities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rollup_mark_days(ARRAY(SELECT utc_day(s.starts_at) FROM volunteer_shifts s WHERE s.opportunity_id IN (SELECT id FROM new_rows)));
    RETURN NULL;
END $$;

CREATE FUNCTION rollup_dirty_text_scores() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM rollup_mark_days(ARRAY(
            SELECT utc_day(f.created_at) FROM feedback f WHERE f.id IN (SELECT source_id FROM new_rows WHERE source = 'feedback')
            UNION ALL
            SELECT utc_day(r.submitted_at) FROM answers a JOIN responses r ON r.id = a.response_id
            WHERE a.id IN (SELECT source_id FROM new_rows WHERE source = 'answer')));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM rollup_mark_days(ARRAY(
            SELECT utc_day(f.created_at) FROM feedback f WHERE f.id IN (SELECT source_id FROM old_rows WHERE source = 'feedback')
            UNION ALL
            SELECT utc_day(r.submitted_at) FROM answers a JOIN responses r ON r.id = a.response_id
            WHERE a.id IN (SELECT source_id FROM old_rows WHERE source = 'answer')));
    END IF;
    RETURN NULL;
END $$;

-- Transition tables allow one event per trigger, hence three triggers per table.
CREATE TRIGGER rollup_responses_insert AFTER INSERT ON responses REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_responses();
CREATE TRIGGER rollup_responses_update AFTER UPDATE ON responses REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_responses();
CREATE TRIGGER rollup_responses_delete AFTER DELETE ON responses REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_responses();

CREATE TRIGGER rollup_feedback_insert AFTER INSERT ON feedback REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_feedback();
CREATE TRIGGER rollup_feedback_update AFTER UPDATE ON feedback REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_feedback();
CREATE TRIGGER rollup_feedback_delete AFTER DELETE ON feedback REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_feedback();

CREATE TRIGGER rollup_events_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_events();
CREATE TRIGGER rollup_events_update AFTER UPDATE ON events REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_events();
CREATE TRIGGER rollup_events_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_events();

CREATE TRIGGER rollup_event_initiatives_insert AFTER INSERT ON event_initiatives REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_by_event();
CREATE TRIGGER rollup_event_initiatives_update AFTER UPDATE ON event_initiatives REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_by_event();
CREATE TRIGGER rollup_event_initiatives_delete AFTER DELETE ON event_initiatives REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_by_event();

CREATE TRIGGER rollup_attendance_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_by_event();
CREATE TRIGGER rollup_attendance_update AFTER UPDATE ON attendance REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_by_event();
CREATE TRIGGER rollup_attendance_delete AFTER DELETE ON attendance REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_by_event();

CREATE TRIGGER rollup_signups_insert AFTER INSERT ON signups REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_signups();
CREATE TRIGGER rollup_signups_update AFTER UPDATE ON signups REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_signups();
CREATE TRIGGER rollup_signups_delete AFTER DELETE ON signups REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_signups();

CREATE TRIGGER rollup_shifts_insert AFTER INSERT ON volunteer_shifts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_shifts();
CREATE TRIGGER rollup_shifts_update AFTER UPDATE ON volunteer_shifts REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_shifts();
CREATE TRIGGER rollup_shifts_delete AFTER DELETE ON volunteer_shifts REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_shifts();

CREATE TRIGGER rollup_opportunities_update AFTER UPDATE ON volunteer_opportunities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_opportunities();

CREATE TRIGGER rollup_text_scores_insert AFTER INSERT ON text_scores REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_text_scores();
CREATE TRIGGER rollup_text_scores_update AFTER UPDATE ON text_scores REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_text_scores();
CREATE TRIGGER rollup_text_scores_delete AFTER DELETE ON text_scores REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_dirty_text_scores();
