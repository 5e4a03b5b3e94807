-- Themes and keyphrases of survey text answers, rolled up like the answers (issue 15, A5): a
-- survey's results read the top topics of a question without scanning its scored texts. Kept
-- current by Rollups.recomputeAnswers for the same marked days. See docs/results.md.
CREATE TABLE rollup_answer_topics (
    survey_id bigint NOT NULL,
    question_id bigint NOT NULL,
    day date NOT NULL,
    school_id bigint NOT NULL,
    stakeholder_group stakeholder_group NOT NULL,
    kind text NOT NULL CHECK (kind IN ('themes', 'keyphrases')),
    name text NOT NULL,
    -- Answers carrying the name (each once), and the day's three newest of them.
    mentions integer NOT NULL,
    examples bigint[] NOT NULL,
    PRIMARY KEY (survey_id, question_id, day, school_id, stakeholder_group, kind, name)
);
CREATE INDEX rollup_answer_topics_day ON rollup_answer_topics (day);
CREATE INDEX rollup_answer_topics_name ON rollup_answer_topics (survey_id, question_id, kind, name);

-- Over all days, moved by the difference when days are recomputed.
CREATE TABLE rollup_answer_topic_totals (
    survey_id bigint NOT NULL,
    question_id bigint NOT NULL,
    school_id bigint NOT NULL,
    stakeholder_group stakeholder_group NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    mentions integer NOT NULL,
    PRIMARY KEY (survey_id, question_id, school_id, stakeholder_group, kind, name)
);

-- The records' path to a question's text answers (a language filter, a period not on midnights).
CREATE INDEX answers_question_texts ON answers (question_id) INCLUDE (response_id) WHERE text IS NOT NULL;
