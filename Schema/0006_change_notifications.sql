-- Servers cache scorecards in memory and drop them when what they were computed from changes:
-- the rollups (every refresh), initiatives (titles, targets) and schools (names, enrollment).
-- NOTIFY is sent at commit and folded within a transaction. See docs/scorecard.md, Caching.
CREATE FUNCTION notify_scorecards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('chorus_changes', 'scorecards');
    RETURN NULL;
END $$;

CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_activity
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_daily
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_people
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_year_reach
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_sentiment
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_topics
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON initiatives
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schools
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
