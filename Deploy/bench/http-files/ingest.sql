-- pgbench: the transaction `POST /api/v1/surveys/1/responses` runs (Submissions.submitResponse):
-- read the survey and its questions, check the school, insert the response and its two answers,
-- push the comment's score-text job (with its NOTIFY). The rollup triggers fire here as there.
BEGIN;
SELECT id, initiative_id, title, opens_at, closes_at, anonymous FROM surveys WHERE id = 1;
SELECT id, position, kind, prompt, help, required, choices FROM survey_questions WHERE survey_id = 1 ORDER BY position;
SELECT 1 FROM schools WHERE id = 7;
INSERT INTO responses (survey_id, initiative_id, school_id, participant_id, stakeholder_group, language, receipt)
VALUES (1, 1, 7, NULL, 'families', 'en', 'PGB-' || md5(random()::text)) RETURNING id AS rid, submitted_at \gset
INSERT INTO answers (response_id, question_id, number, text, choices, scoring_state) VALUES (:rid, 1, 4, NULL, NULL, NULL) RETURNING id;
INSERT INTO answers (response_id, question_id, number, text, choices, scoring_state)
VALUES (:rid, 4, NULL, 'The wifi at home is too slow for homework.', NULL, 'pending') RETURNING id AS aid \gset
WITH inserted AS (
    INSERT INTO jobs (kind, payload, priority, max_attempts, unique_key, run_at)
    VALUES ('score-text', jsonb_build_object('source', 'answer', 'id', :aid), 0, 10, 'score-text:answer:' || :aid, now())
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable') DO NOTHING
    RETURNING id)
SELECT id, pg_notify('chorus_jobs', '') FROM inserted;
COMMIT;
