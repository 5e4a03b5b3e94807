-- Issue 13: a text in a language without a sentiment model is stored with its language and no
-- sentiment ("not scored"): counted in voice, never in sentiment, and counted per language so a
-- scorecard shows how many were not scored. The identified language's confidence is kept too.
ALTER TABLE text_scores ALTER COLUMN neg DROP NOT NULL, ALTER COLUMN neu DROP NOT NULL,
    ALTER COLUMN pos DROP NOT NULL, ALTER COLUMN compound DROP NOT NULL,
    ADD COLUMN language_confidence double precision CHECK (language_confidence BETWEEN 0 AND 1),
    ADD CONSTRAINT text_scores_sentiment_whole
        CHECK (num_nulls(neg, neu, pos, compound) IN (0, 4));

ALTER TABLE rollup_sentiment ADD COLUMN not_scored integer NOT NULL DEFAULT 0,
    DROP CONSTRAINT rollup_sentiment_pkey,
    ADD PRIMARY KEY (initiative_id, day, school_id, language) INCLUDE (scored, compound_sum, positive, neutral, negative, not_scored);
