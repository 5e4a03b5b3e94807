-- Survey results (issue 15): what families answered, question by question, from rollups kept
-- current like the scorecard's (Rollups.recompute) and, for anything they cannot answer, from
-- the records. See docs/results.md.

-- A 0–10 question marked as "would you recommend": its results carry an NPS.
ALTER TABLE survey_questions ADD COLUMN recommendation boolean NOT NULL DEFAULT false;
ALTER TABLE survey_questions ADD CONSTRAINT survey_questions_recommendation_rating CHECK (NOT recommendation OR kind = 'rating_0_10');

-- Results read one survey's responses; the records path (slices the rollups do not keep, and
-- the reference they are tested against) needs them by survey.
CREATE INDEX responses_survey ON responses (survey_id, submitted_at);

-- Respondents per survey, question, wording version, district day, school (0 = none), group and
-- value. question_id 0 counts the survey's responses (value ''); for every question, value ''
-- counts the respondents who answered it; a scale's value is its number, a choice's its value
-- (several choices: one row per chosen value, so shares are of respondents); a text answer's
-- value is its sentiment (positive, neutral, negative, or unscored) with the compound sum.
-- No language: a language filter or breakdown reads the records.
CREATE TABLE rollup_answers (
    survey_id bigint NOT NULL,
    question_id bigint NOT NULL,
    question_version integer NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    stakeholder_group stakeholder_group NOT NULL,
    value text NOT NULL,
    respondents integer NOT NULL,
    compound_sum numeric NOT NULL,
    PRIMARY KEY (survey_id, question_id, question_version, day, school_id, stakeholder_group, value) INCLUDE (respondents, compound_sum)
);
CREATE INDEX rollup_answers_day ON rollup_answers (day);

-- The same over all days, what a survey's results without a period read: a survey spreads its
-- responses over hundreds of days, so the per-day rows are nearly as many as the records.
-- Kept by adding each recomputed day's new rows and subtracting its old ones.
CREATE TABLE rollup_answer_totals (
    survey_id bigint NOT NULL,
    question_id bigint NOT NULL,
    question_version integer NOT NULL,
    school_id bigint NOT NULL,
    stakeholder_group stakeholder_group NOT NULL,
    value text NOT NULL,
    respondents integer NOT NULL,
    compound_sum numeric NOT NULL,
    PRIMARY KEY (survey_id, question_id, question_version, school_id, stakeholder_group, value) INCLUDE (respondents, compound_sum)
);

-- Answers change apart from their response only by scoring (text_scores marks that day, and
-- the scoring state is not counted here) and by deletion with their survey; the response's
-- trigger marks inserts. Transition tables allow no column list, hence the comparison.
CREATE FUNCTION rollup_mark_answers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty_days (day)
        SELECT DISTINCT district_day(r.submitted_at) FROM old_rows a JOIN responses r ON r.id = a.response_id;
    ELSE
        INSERT INTO rollup_dirty_days (day)
        SELECT DISTINCT district_day(r.submitted_at)
        FROM (SELECT response_id, question_id, question_version, number, choices FROM old_rows
              EXCEPT ALL SELECT response_id, question_id, question_version, number, choices FROM new_rows) a
        JOIN responses r ON r.id = a.response_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rollup_answers_update AFTER UPDATE ON answers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_mark_answers();
CREATE TRIGGER rollup_answers_delete AFTER DELETE ON answers REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_mark_answers();

-- The scorecard's trigger on responses compares the columns it reads; results also read the
-- survey and the stakeholder group, so a change of either recounts the day.
CREATE FUNCTION rollup_mark_response_groups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty_days (day)
    SELECT DISTINCT district_day(o.submitted_at)
    FROM (SELECT id, survey_id, stakeholder_group, submitted_at FROM old_rows
          EXCEPT ALL SELECT id, survey_id, stakeholder_group, submitted_at FROM new_rows) o;
    RETURN NULL;
END $$;
CREATE TRIGGER rollup_responses_groups AFTER UPDATE ON responses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_mark_response_groups();

-- Count every day that has a response.
INSERT INTO rollup_dirty_days (day) SELECT DISTINCT district_day(submitted_at) FROM responses;
