-- A database that had records before the rollups (0005) gets them rolled up by the workers:
-- every day that has any record is marked dirty. Nothing to do on a new database.
INSERT INTO rollup_dirty_days (day)
SELECT d
FROM (
    SELECT utc_day(submitted_at) AS d FROM responses
    UNION SELECT utc_day(created_at) FROM feedback
    UNION SELECT utc_day(starts_at) FROM events
    UNION SELECT utc_day(starts_at) FROM volunteer_shifts
) days;
