-- Reference data every other table hangs from: district goals, schools and initiatives, and the
-- six stakeholder groups the district reports on.

CREATE TYPE stakeholder_group AS ENUM (
    'administrators',
    'teachers_staff',
    'students',
    'families',
    'community_partners',
    'government_boards'
);

CREATE TABLE district_goals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schools (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    cluster text NOT NULL,
    level text NOT NULL CHECK (level IN ('elementary', 'middle', 'high', 'k8', 'other')),
    enrollment integer NOT NULL CHECK (enrollment >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE initiatives (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    goal_id bigint REFERENCES district_goals (id),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('planned', 'active', 'paused', 'completed')),
    starts_on date,
    ends_on date,
    theme_keywords text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
