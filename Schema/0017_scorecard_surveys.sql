-- A scorecard lists its initiative's surveys (issue 15, build 8): a survey created, renamed,
-- published, closed or deleted retires the cached scorecards like an initiative's change does.
CREATE TRIGGER scorecards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON surveys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_scorecards();
