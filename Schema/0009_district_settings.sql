-- The district's own settings (issue 13): its name, clock, languages and school year. One row;
-- every change leaves the previous values and who changed them in district_settings_history.
CREATE TABLE district_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    name text NOT NULL DEFAULT 'School District' CHECK (length(name) BETWEEN 1 AND 200),
    -- An IANA zone PostgreSQL knows (checked by Engagement.DistrictSettings against pg_timezone_names).
    time_zone text NOT NULL DEFAULT 'America/New_York',
    -- BCP 47 tags in the order families are offered them; the default is one of them.
    languages text[] NOT NULL DEFAULT '{en,es}' CHECK (cardinality(languages) BETWEEN 1 AND 40),
    default_language text NOT NULL DEFAULT 'en' CHECK (default_language = ANY (languages)),
    school_year_start_month integer NOT NULL DEFAULT 8 CHECK (school_year_start_month BETWEEN 1 AND 12),
    school_year_start_day integer NOT NULL DEFAULT 1 CHECK (school_year_start_day BETWEEN 1 AND 28),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT 'migration'
);
INSERT INTO district_settings DEFAULT VALUES;

CREATE TABLE district_settings_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by text NOT NULL,
    previous jsonb NOT NULL,
    current jsonb NOT NULL
);
