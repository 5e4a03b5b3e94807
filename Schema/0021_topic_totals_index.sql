-- A survey's top themes and keyphrases read by an index-only scan in (question, kind, name)
-- order: the totals' rows of one survey are spread over thousands of heap pages (written day by
-- day across surveys), and reading them cost 50 ms of a results page at district scale against
-- 9 ms this way (docs/performance.md, "Survey results").
CREATE INDEX rollup_answer_topic_totals_names ON rollup_answer_topic_totals (survey_id, question_id, kind, name)
    INCLUDE (school_id, stakeholder_group, mentions);
