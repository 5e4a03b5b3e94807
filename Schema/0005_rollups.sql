-- Scorecard rollups: per initiative, UTC day and school, kept current from rollup_dirty_days
-- (the triggers that mark days are in 0008_rollup_queue.sql).
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

-- Days whose rollups are out of date, in the order they were marked (Schema/0008 marks them;
-- Rollups.drain recomputes and deletes them).
CREATE TABLE rollup_dirty_days (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day date NOT NULL
);
CREATE INDEX rollup_dirty_days_day ON rollup_dirty_days (day);

CREATE FUNCTION utc_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT (t AT TIME ZONE 'UTC')::date $$;
