-- Issue 13: the district's clock. Rollups count the district's local days (time zone from
-- district_settings), and school years start on its local start day, so a response at 23:30 in
-- New York counts on that New York day and week, as the records say. Engagement.DistrictClock is
-- the same rule in Swift. A change of zone or school-year start rebuilds the rollups (a job).

CREATE FUNCTION district_day(t timestamptz) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (t AT TIME ZONE (SELECT time_zone FROM district_settings))::date
$$;

CREATE OR REPLACE FUNCTION school_year(d date) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT make_date(extract(year FROM d)::int
                     - CASE WHEN (extract(month FROM d), extract(day FROM d)) < (s.school_year_start_month, s.school_year_start_day)
                            THEN 1 ELSE 0 END,
                     s.school_year_start_month, s.school_year_start_day)
    FROM district_settings s
$$;

-- The triggers of 0008 mark UTC days: the same functions, marking local days.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.proname LIKE 'rollup\_mark\_%' LOOP
        EXECUTE replace(pg_get_functiondef(f), 'utc_day(', 'district_day(');
    END LOOP;
END $$;
DROP FUNCTION utc_day;

-- Every rollup was counted on UTC days: start again, and let the workers count every day that
-- has a record (on a new database there is none).
TRUNCATE rollup_activity, rollup_daily, rollup_people, rollup_year_people, rollup_year_reach, rollup_sentiment, rollup_topics,
    rollup_dirty_days;
INSERT INTO rollup_dirty_days (day)
SELECT d
FROM (
    SELECT district_day(submitted_at) AS d FROM responses
    UNION SELECT district_day(created_at) FROM feedback
    UNION SELECT district_day(starts_at) FROM events
    UNION SELECT district_day(starts_at) FROM volunteer_shifts
) days;
