-- The rollup queue is the domain's own table: statement-level triggers mark the days a statement
-- changed in rollup_dirty_days, in the writer's transaction; Rollups.drain deletes them under the
-- rollup lock and recomputes those days from the records. No unique key on purpose: a writer
-- never waits for another's row, and a mark committed while a drain runs stays for the next one.
-- An update marks days only when a column the rollups read changed, so marking a comment scored,
-- or rescoring it to the same result, recomputes nothing.

-- Databases that ran 0005 and 0007 before they were rewritten (see docs/decisions.md, "The rollup
-- queue") still have rollup-day jobs and their triggers: move the pending days here, drop the rest.
CREATE TABLE IF NOT EXISTS rollup_dirty_days (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day date NOT NULL
);
CREATE INDEX IF NOT EXISTS rollup_dirty_days_day ON rollup_dirty_days (day);
INSERT INTO rollup_dirty_days (day)
SELECT DISTINCT (payload ->> 'day')::date FROM jobs WHERE kind = 'rollup-day' AND state IN ('available', 'retryable', 'running');
DELETE FROM jobs WHERE kind = 'rollup-day';
DROP INDEX IF EXISTS jobs_rollup_pending;
DROP FUNCTION IF EXISTS rollup_dirty_responses, rollup_dirty_feedback, rollup_dirty_events, rollup_dirty_by_event,
    rollup_dirty_signups, rollup_dirty_shifts, rollup_dirty_opportunities, rollup_dirty_text_scores, rollup_mark_days CASCADE;

-- One generator for every table's trigger function: `columns` are what the rollups read of the
-- table, `days` a query over a changed row `r` (those columns) giving the days it counts on. The
-- generated function is static SQL, so PL/pgSQL keeps its plans (dynamic SQL re-planned every
-- statement, a quarter of a scoring transaction's time). An update marks the rows whose read
-- columns changed, old and new: the multiset difference both ways, so no key is needed.
CREATE FUNCTION rollup_watch(source regclass, columns text, days text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := replace(source::text, '.', '_');
    mark text := 'INSERT INTO rollup_dirty_days (day) SELECT DISTINCT d.day FROM (%s) r, LATERAL (%s) d(day) WHERE d.day IS NOT NULL';
BEGIN
    EXECUTE format(
        $f$CREATE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            IF TG_OP = 'INSERT' THEN %s;
            ELSIF TG_OP = 'DELETE' THEN %s;
            ELSE %s;
            END IF;
            RETURN NULL;
        END $body$ $f$,
        'rollup_mark_' || name,
        format(mark, format('SELECT %s FROM new_rows', columns), days),
        format(mark, format('SELECT %s FROM old_rows', columns), days),
        format(mark, format('(SELECT %1$s FROM new_rows EXCEPT ALL SELECT %1$s FROM old_rows)
                             UNION ALL (SELECT %1$s FROM old_rows EXCEPT ALL SELECT %1$s FROM new_rows)', columns), days));
    -- Transition tables allow one event per trigger, hence three triggers per table.
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'rollup_' || name || '_insert', source, 'rollup_mark_' || name);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'rollup_' || name || '_update', source, 'rollup_mark_' || name);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'rollup_' || name || '_delete', source, 'rollup_mark_' || name);
END $$;

-- What Rollups.recompute reads of each table, and the day each row counts on.
SELECT rollup_watch('responses', 'id, initiative_id, school_id, participant_id, submitted_at', 'SELECT utc_day(r.submitted_at)');
SELECT rollup_watch('feedback', 'id, initiative_id, school_id, participant_id, created_at', 'SELECT utc_day(r.created_at)');
SELECT rollup_watch('events', 'id, school_id, capacity, starts_at', 'SELECT utc_day(r.starts_at)');
SELECT rollup_watch('event_initiatives', 'event_id, initiative_id',
                    'SELECT utc_day(e.starts_at) FROM events e WHERE e.id = r.event_id');
SELECT rollup_watch('attendance', 'event_id, participant_id, count',
                    'SELECT utc_day(e.starts_at) FROM events e WHERE e.id = r.event_id');
SELECT rollup_watch('volunteer_shifts', 'id, opportunity_id, starts_at', 'SELECT utc_day(r.starts_at)');
SELECT rollup_watch('signups', 'shift_id, participant_id, status, hours_approved',
                    'SELECT utc_day(s.starts_at) FROM volunteer_shifts s WHERE s.id = r.shift_id');
-- An opportunity moving to another initiative or school moves all its shifts.
SELECT rollup_watch('volunteer_opportunities', 'id, initiative_id, school_id',
                    'SELECT utc_day(s.starts_at) FROM volunteer_shifts s WHERE s.opportunity_id = r.id');
SELECT rollup_watch('text_scores', 'source, source_id, scorer_version, language, compound, themes, keyphrases',
                    $q$SELECT utc_day(f.created_at) FROM feedback f WHERE r.source = 'feedback' AND f.id = r.source_id
                       UNION ALL
                       SELECT utc_day(x.submitted_at) FROM answers a JOIN responses x ON x.id = a.response_id
                       WHERE r.source = 'answer' AND a.id = r.source_id$q$);
DROP FUNCTION rollup_watch;
