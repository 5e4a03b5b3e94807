-- Issue 13: every text families see is stored per language, as one jsonb object per column
-- ({"en": "...", "es": "...", "vi": "..."}; see docs/decisions.md, "Texts in every language").
-- The EN/ES columns of surveys and questions become such objects, choices carry a "label" object,
-- and the single-language texts of goals, initiatives, opportunities and events become objects in
-- the district's default language. Nothing is lost: every earlier text is in the new column.

CREATE FUNCTION translated_pair(en text, es text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('en', nullif(en, ''), 'es', nullif(es, '')))
$$;
CREATE FUNCTION is_translated(t jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_typeof(t) = 'object'
       AND NOT EXISTS (SELECT 1 FROM jsonb_each(t) e WHERE jsonb_typeof(e.value) <> 'string')
$$;

ALTER TABLE surveys ADD COLUMN title jsonb;
UPDATE surveys SET title = translated_pair(title_en, title_es);
ALTER TABLE surveys ALTER COLUMN title SET NOT NULL, ADD CHECK (is_translated(title) AND title <> '{}'),
    DROP COLUMN title_en, DROP COLUMN title_es;

ALTER TABLE survey_questions ADD COLUMN prompt jsonb, ADD COLUMN help jsonb;
UPDATE survey_questions SET prompt = translated_pair(prompt_en, prompt_es),
    help = nullif(translated_pair(help_en, help_es), '{}'),
    choices = coalesce((
        SELECT jsonb_agg(jsonb_build_object('value', c -> 'value', 'label', translated_pair(c ->> 'label_en', c ->> 'label_es'))
                         ORDER BY n)
        FROM jsonb_array_elements(choices) WITH ORDINALITY AS x(c, n)), '[]');
ALTER TABLE survey_questions ALTER COLUMN prompt SET NOT NULL,
    ADD CHECK (is_translated(prompt) AND prompt <> '{}'), ADD CHECK (help IS NULL OR is_translated(help)),
    DROP COLUMN prompt_en, DROP COLUMN prompt_es, DROP COLUMN help_en, DROP COLUMN help_es;

-- Single-language texts were written in the default language (English unless set otherwise).
CREATE FUNCTION translated_default(t text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN coalesce(t, '') = '' THEN '{}'::jsonb
                ELSE jsonb_build_object((SELECT default_language FROM district_settings), t) END
$$;
ALTER TABLE district_goals ALTER COLUMN title TYPE jsonb USING translated_default(title),
    ALTER COLUMN description DROP DEFAULT, ALTER COLUMN description TYPE jsonb USING translated_default(description),
    ALTER COLUMN description SET DEFAULT '{}', ADD CHECK (is_translated(title) AND title <> '{}'), ADD CHECK (is_translated(description));
ALTER TABLE initiatives ALTER COLUMN title TYPE jsonb USING translated_default(title),
    ALTER COLUMN description DROP DEFAULT, ALTER COLUMN description TYPE jsonb USING translated_default(description),
    ALTER COLUMN description SET DEFAULT '{}', ADD CHECK (is_translated(title) AND title <> '{}'), ADD CHECK (is_translated(description));
ALTER TABLE volunteer_opportunities ALTER COLUMN title TYPE jsonb USING translated_default(title),
    ALTER COLUMN description DROP DEFAULT, ALTER COLUMN description TYPE jsonb USING translated_default(description),
    ALTER COLUMN description SET DEFAULT '{}', ADD CHECK (is_translated(title) AND title <> '{}'), ADD CHECK (is_translated(description));
ALTER TABLE events ALTER COLUMN title TYPE jsonb USING translated_default(title),
    ADD CHECK (is_translated(title) AND title <> '{}');
DROP FUNCTION translated_pair, translated_default;

-- Answers and comments in any language: a BCP 47 tag (checked in full by the domain).
ALTER TABLE responses DROP CONSTRAINT responses_language_check,
    ADD CONSTRAINT responses_language_check CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$');
ALTER TABLE feedback DROP CONSTRAINT feedback_language_check,
    ADD CONSTRAINT feedback_language_check CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$');
