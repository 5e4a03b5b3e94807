-- Scorecard rollups: per initiative, UTC day and school, kept current by `rollup-day` jobs.
-- initiative_id 0 is the whole district (every record once, whatever its initiatives);
-- school_id 0 is "no school". See docs/scorecard.md, section Rollups. Primary keys INCLUDE the
-- measures so a scorecard reads them by index-only scans, one initiative's rows together.

-- The school year (August 1 to July 31) a day belongs to, as its first day.
CREATE FUNCTION school_year(d date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT make_date(extract(year FROM d - interval '7 months')::int, 8, 1)
$$;

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
    PRIMARY KEY (initiative_id, day, school_id) INCLUDE (responses, feedback, events, capacity, attendance, signups, waitlisted, attended,
                                                         hours, anonymous_people, engagements)
);

-- The same per initiative and day over all schools, with the day's sentiment sums: what a
-- scorecard without a school or cluster filter reads (a few hundred rows a year).
CREATE TABLE rollup_daily (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    responses integer NOT NULL,
    feedback integer NOT NULL,
    events integer NOT NULL,
    capacity bigint NOT NULL,
    attendance bigint NOT NULL,
    signups integer NOT NULL,
    waitlisted integer NOT NULL,
    attended integer NOT NULL,
    hours numeric NOT NULL,
    anonymous_people bigint NOT NULL,
    engagements integer NOT NULL,
    scored integer NOT NULL,
    compound_sum numeric NOT NULL,
    positive integer NOT NULL,
    neutral integer NOT NULL,
    negative integer NOT NULL,
    PRIMARY KEY (initiative_id, day) INCLUDE (responses, feedback, events, capacity, attendance, signups, waitlisted, attended, hours,
                                              anonymous_people, engagements, scored, compound_sum, positive, neutral, negative)
);

-- Known people, once per initiative, day and school: reach counts them distinct over a period.
CREATE TABLE rollup_people (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    participant_id bigint NOT NULL,
    PRIMARY KEY (initiative_id, day, school_id, participant_id)
);

-- Reach over a whole school year without filters, the default scorecard, kept exact without
-- scanning every person: each known person's rollup_people rows counted per initiative and
-- year (refs), and the number of people with refs > 0.
CREATE TABLE rollup_year_people (
    initiative_id bigint NOT NULL,
    school_year date NOT NULL,
    participant_id bigint NOT NULL,
    -- Never negative; not a CHECK, so that a decrement can travel through INSERT ... ON CONFLICT.
    refs integer NOT NULL,
    PRIMARY KEY (initiative_id, school_year, participant_id)
);

CREATE TABLE rollup_year_reach (
    initiative_id bigint NOT NULL,
    school_year date NOT NULL,
    participants integer NOT NULL CHECK (participants >= 0),
    PRIMARY KEY (initiative_id, school_year) INCLUDE (participants)
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
    PRIMARY KEY (initiative_id, day, school_id, language) INCLUDE (scored, compound_sum, positive, neutral, negative)
);

-- Per initiative and day only: themes and keyphrases of one school come from the records.
CREATE TABLE rollup_topics (
    initiative_id bigint NOT NULL,
    day date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('themes', 'keyphrases')),
    name text NOT NULL,
    mentions integer NOT NULL,
    -- The day's newest three comment (feedback) ids mentioning it, newest first.
    examples bigint[] NOT NULL,
    PRIMARY KEY (initiative_id, kind, day, name) INCLUDE (mentions, examples)
);

-- What the per-day recomputation reads and deletes.
CREATE INDEX rollup_activity_day ON rollup_activity (day);
CREATE INDEX rollup_daily_day ON rollup_daily (day);
CREATE INDEX rollup_people_day ON rollup_people (day);
CREATE INDEX rollup_sentiment_day ON rollup_sentiment (day);
CREATE INDEX rollup_topics_day ON rollup_topics (day);
CREATE INDEX volunteer_shifts_time ON volunteer_shifts (starts_at);
CREATE INDEX answers_texts ON answers (response_id) INCLUDE (id) WHERE text IS NOT NULL;
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
