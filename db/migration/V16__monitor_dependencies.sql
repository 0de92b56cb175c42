-- Monitor dependencies: a monitor may depend on others (an API on its database, a site on its load balancer). While
-- a dependency is DOWN globally, or its monitor incident fired and is still open, a dependent monitor that goes DOWN
-- is suppressed: its states are recorded as usual, its incident opens with suppressed_by set to the incident that
-- notifies (the dependency's, or the one that one is itself suppressed by), and it sends no notice of its own. The
-- dependency's notices list the incidents suppressed by it, read when each notice is claimed for sending.

-- ---------------------------------------------------------------------------------------------------------------
-- Dependencies
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE monitor_dependencies (
    monitor_id integer NOT NULL REFERENCES api_monitors (id) ON DELETE CASCADE,
    depends_on integer NOT NULL REFERENCES api_monitors (id) ON DELETE CASCADE,
    PRIMARY KEY (monitor_id, depends_on),
    CONSTRAINT monitor_dependencies_not_self CHECK (monitor_id <> depends_on)
);
CREATE INDEX monitor_dependencies_depends_on_idx ON monitor_dependencies (depends_on);
COMMENT ON TABLE monitor_dependencies IS 'Which monitors a monitor depends on: while one of them is DOWN (or its fired incident is open), this monitor going DOWN is suppressed (incidents.suppressed_by) and notifies nobody; the dependency''s notices list it. No cycles (a trigger refuses them).';
COMMENT ON COLUMN monitor_dependencies.monitor_id IS 'The dependent monitor (api_monitors.id).';
COMMENT ON COLUMN monitor_dependencies.depends_on IS 'The monitor it depends on (api_monitors.id), e.g. its database.';

-- A cycle would make monitors suppress each other: refused, naming the path. Inserts and updates take one
-- transaction-level advisory lock so that two sessions cannot each add half of a cycle.
CREATE FUNCTION vantage_monitor_dependencies_acyclic() RETURNS trigger
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    cycle integer[];
BEGIN
    IF NEW.depends_on = NEW.monitor_id THEN
        RETURN NEW; -- monitor_dependencies_not_self says why
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('vantage.monitor_dependencies', 0));
    WITH RECURSIVE reach (monitor_id, trail) AS (
        SELECT d.depends_on, ARRAY[NEW.monitor_id, NEW.depends_on, d.depends_on]
        FROM monitor_dependencies d WHERE d.monitor_id = NEW.depends_on
        UNION ALL
        SELECT d.depends_on, r.trail || d.depends_on
        FROM reach r JOIN monitor_dependencies d ON d.monitor_id = r.monitor_id
        WHERE r.monitor_id <> NEW.monitor_id AND d.depends_on <> ALL (r.trail[2:])
    )
    SELECT r.trail INTO cycle FROM reach r WHERE r.monitor_id = NEW.monitor_id LIMIT 1;
    IF cycle IS NOT NULL THEN
        RAISE EXCEPTION 'monitor_dependencies: monitor % (%) cannot depend on monitor % (%): that closes the cycle %',
            NEW.monitor_id, coalesce((SELECT name FROM api_monitors WHERE id = NEW.monitor_id), '?'),
            NEW.depends_on, coalesce((SELECT name FROM api_monitors WHERE id = NEW.depends_on), '?'),
            (SELECT string_agg(coalesce(m.name, '?') || ' (' || c.id || ')', ' -> ' ORDER BY c.n)
             FROM unnest(cycle) WITH ORDINALITY AS c (id, n) LEFT JOIN api_monitors m ON m.id = c.id)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'monitor_dependencies_acyclic';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION vantage_monitor_dependencies_acyclic() IS 'Refuses a monitor_dependencies row that closes a cycle, naming the monitors on it.';
CREATE TRIGGER monitor_dependencies_acyclic BEFORE INSERT OR UPDATE ON monitor_dependencies
    FOR EACH ROW EXECUTE FUNCTION vantage_monitor_dependencies_acyclic();
CREATE TRIGGER monitor_dependencies_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON monitor_dependencies
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();

-- ---------------------------------------------------------------------------------------------------------------
-- Suppressed incidents
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE incidents ADD COLUMN suppressed_by bigint REFERENCES incidents (id) ON DELETE SET NULL;
CREATE INDEX incidents_suppressed_by_idx ON incidents (suppressed_by) WHERE suppressed_by IS NOT NULL;
COMMENT ON COLUMN incidents.suppressed_by IS 'For a monitor incident that went DOWN while a monitor it depends on (monitor_dependencies) was DOWN: the incident that notified instead (the dependency''s, or the root of a chain). Set once; notified false means it never notified on its own, true that it fired later because the dependency recovered first. NULL otherwise.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: the monitor reads the dependencies with the configuration, the reader sees them
-- ---------------------------------------------------------------------------------------------------------------

ALTER FUNCTION vantage_grant_roles() RENAME TO vantage_grant_roles_before_v16;
COMMENT ON FUNCTION vantage_grant_roles_before_v16() IS 'The grants before schema 16; vantage_grant_roles() runs it first.';

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    granted text[];
BEGIN
    granted := vantage_grant_roles_before_v16();
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        -- EvaluationConfigDao: each monitor's dependencies.
        GRANT SELECT ON monitor_dependencies TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        GRANT SELECT ON monitor_dependencies TO vantage_reader;
    END IF;
    RETURN granted;
END
$$;
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles_before_v16() FROM PUBLIC;

SELECT vantage_grant_roles();
