-- A database that had records before the rollups (0005) gets them rolled up by the workers:
-- one rollup-day job per day that has any record. Nothing to do on a new database.
INSERT INTO jobs (kind, payload, max_attempts)
SELECT 'rollup-day', jsonb_build_object('day', d::text), 25
FROM (
    SELECT utc_day(submitted_at) AS d FROM responses
    UNION SELECT utc_day(created_at) FROM feedback
    UNION SELECT utc_day(starts_at) FROM events
    UNION SELECT utc_day(starts_at) FROM volunteer_shifts
) days;
SELECT pg_notify('chorus_jobs', '');
