-- Hardening (issue 12): no login can silence alerting or act for another datacenter.
--
--   1. CONNECT and TEMPORARY on the database are revoked from PUBLIC and granted to the three group roles (members
--      inherit them), so a role with no grants cannot connect and cannot take one of Vantage's advisory locks. Only
--      the owner of the database (or a superuser) may do this: anyone else gets a NOTICE with the statements to run.
--   2. Each agent login is bound to one datacenter (agent_logins, written by the owner: vantage roles create-login
--      --datacenter, or vantage roles bind). A member of vantage_agent then
--        - reads only the api_monitors rows of its datacenter (row-level security), so no other datacenter's
--          headers or body;
--        - inserts and updates only its datacenter's agents rows (row-level security);
--        - writes heartbeats of its datacenter only, for slots at most 5 minutes ahead of the database clock (a
--          statement trigger on api_heartbeats, not row-level security: PostgreSQL refuses COPY FROM into a table
--          with row-level security, and the agent's writer copies straight into api_heartbeats);
--        - takes its datacenter's lease only through vantage_take_datacenter_lease, which requires that the calling
--          session holds the advisory lock and bumps the epoch by exactly one; it may no longer insert or update
--          lease rows itself, except released_at of its own datacenter's rows.
--      Row-level security changes nothing for other roles: a permissive policy lets every role see and write what
--      its grants allow, and the agent's policies are RESTRICTIVE, for members of vantage_agent only. Table owners and
--      superusers bypass row-level security, so the monitor module, dashboards, the demo and agents that log in as the
--      owner behave as before.
--   3. Lease epochs grow by exactly one: a lease or lease-history row whose epoch is not the previous + 1 is refused
--      (for every role but the owner of the table and superusers, who may repair by hand).
--   4. The advisory lock's real holder: vantage_lock_holder(key) names the backend that holds (1447120468, key) from
--      pg_locks and pg_stat_activity, and whether it is a Vantage login for that key.
--   5. vantage_reader no longer reads api_monitors.url, which may carry user:password@; url_redacted, a generated
--      column, is the URL with its user info replaced by ***.
--
-- The agent's login is session_user: SET ROLE does not change it, and a SECURITY DEFINER function sees it too.

-- ---------------------------------------------------------------------------------------------------------------
-- Which datacenter each agent login acts for
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE agent_logins (
    login         name PRIMARY KEY,
    datacenter_id integer NOT NULL REFERENCES datacenters (id) ON DELETE CASCADE,
    bound_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE agent_logins IS 'The datacenter each agent login (a LOGIN member of vantage_agent) acts for. Written by the owner only (vantage roles create-login --datacenter, vantage roles bind); an agent whose login has no row here refuses to start.';
COMMENT ON COLUMN agent_logins.login IS 'Login role name (session_user of the agent''s connections).';
COMMENT ON COLUMN agent_logins.datacenter_id IS 'The only datacenter this login may read monitors of, write heartbeats, agents rows and leases for.';
COMMENT ON COLUMN agent_logins.bound_at IS 'When the binding was written.';

-- The datacenter of session_user; NULL when unbound. SECURITY DEFINER: agent_logins is the owner's alone. STABLE, and
-- called as (SELECT vantage_agent_datacenter()) in policies, so it runs once per statement, not once per row.
CREATE FUNCTION vantage_agent_datacenter() RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT datacenter_id FROM agent_logins WHERE login = session_user
$$;
COMMENT ON FUNCTION vantage_agent_datacenter() IS 'The datacenter the session''s login is bound to (agent_logins), or NULL.';

-- Whether the agent's rules bind this session: its login has vantage_agent's privileges and is no superuser.
CREATE FUNCTION vantage_agent_rules_apply() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT CASE WHEN to_regrole('vantage_agent') IS NULL THEN false
                ELSE NOT r.rolsuper AND pg_has_role(r.oid, 'vantage_agent', 'USAGE') END
    FROM pg_roles r WHERE r.rolname = session_user
$$;
COMMENT ON FUNCTION vantage_agent_rules_apply() IS 'true when the session''s login is a (non-superuser) member of vantage_agent: its datacenter binding applies.';

-- Whether current_user may bypass the epoch rule on a table: its owner (or a member of the owner) or a superuser.
CREATE FUNCTION vantage_owns_table(rel oid) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'MEMBER')
    FROM pg_class c, pg_roles r WHERE c.oid = rel AND r.rolname = current_user
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Heartbeats: an agent writes for its datacenter, and never far ahead
-- ---------------------------------------------------------------------------------------------------------------

-- A statement trigger with a transition table rather than row-level security: COPY FROM (the writer's direct path)
-- is refused on a table with row-level security, and one query over the statement's new rows costs less than a
-- PL/pgSQL call per row. Returns at once for every session that is not an agent login.
CREATE FUNCTION vantage_check_agent_heartbeats() RETURNS trigger
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    bound   integer;
    latest  timestamptz;
    bad     record;
BEGIN
    IF NOT vantage_agent_rules_apply() THEN
        RETURN NULL;
    END IF;
    bound := vantage_agent_datacenter();
    latest := statement_timestamp() + interval '5 minutes';
    -- One pass over the statement's rows, which stops at the first bad one.
    SELECT n.datacenter_id, n.scheduled_at INTO bad FROM vantage_new_heartbeats n
    WHERE n.datacenter_id IS DISTINCT FROM bound OR n.scheduled_at > latest LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF bad.datacenter_id IS DISTINCT FROM bound THEN
        RAISE EXCEPTION 'login % may write heartbeats of datacenter % only, not of datacenter %', session_user,
                coalesce(bound::text, '(none: the login is not bound)'), coalesce(bad.datacenter_id::text, 'NULL')
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An agent login acts for the datacenter agent_logins binds it to (vantage roles bind).';
    END IF;
    RAISE EXCEPTION 'heartbeat for slot % refused: more than 5 minutes ahead of the database clock (%)',
            bad.scheduled_at, statement_timestamp()
        USING ERRCODE = 'check_violation',
              HINT = 'Check the agent host''s clock (NTP).';
END
$$;
COMMENT ON FUNCTION vantage_check_agent_heartbeats() IS 'Refuses heartbeats an agent login writes for another datacenter than its own, or for slots more than 5 minutes ahead.';
CREATE TRIGGER api_heartbeats_agent_check AFTER INSERT ON api_heartbeats
    REFERENCING NEW TABLE AS vantage_new_heartbeats
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_check_agent_heartbeats();

-- ---------------------------------------------------------------------------------------------------------------
-- Epochs grow by one
-- ---------------------------------------------------------------------------------------------------------------

CREATE FUNCTION vantage_check_epoch() RETURNS trigger
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    previous bigint;
BEGIN
    IF vantage_owns_table(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        previous := OLD.epoch;
        IF NEW.epoch = OLD.epoch OR (TG_TABLE_NAME <> 'datacenter_lease_history' AND NEW.epoch = OLD.epoch + 1) THEN
            RETURN NEW;
        END IF;
    ELSIF TG_TABLE_NAME = 'monitor_leases' THEN
        previous := 0;
        IF NEW.epoch = 1 THEN
            RETURN NEW;
        END IF;
    ELSE
        SELECT coalesce(max(h.epoch), 0) INTO previous FROM datacenter_lease_history h
        WHERE h.datacenter_id = NEW.datacenter_id;
        IF NEW.epoch = previous + 1 THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '%: epoch % refused, the previous epoch is % and epochs grow by one', TG_TABLE_NAME, NEW.epoch,
            previous
        USING ERRCODE = 'check_violation';
END
$$;
COMMENT ON FUNCTION vantage_check_epoch() IS 'Refuses a lease or lease-history epoch that is not the previous + 1 (owners and superusers excepted).';
CREATE TRIGGER datacenter_leases_epoch BEFORE INSERT OR UPDATE OF epoch ON datacenter_leases
    FOR EACH ROW EXECUTE FUNCTION vantage_check_epoch();
CREATE TRIGGER datacenter_lease_history_epoch BEFORE INSERT OR UPDATE OF epoch ON datacenter_lease_history
    FOR EACH ROW EXECUTE FUNCTION vantage_check_epoch();
CREATE TRIGGER monitor_leases_epoch BEFORE INSERT OR UPDATE OF epoch ON monitor_leases
    FOR EACH ROW EXECUTE FUNCTION vantage_check_epoch();

-- ---------------------------------------------------------------------------------------------------------------
-- Taking a datacenter's lease
-- ---------------------------------------------------------------------------------------------------------------

-- What DatacenterKind ran itself until V9, now as the owner, after three checks: the calling session holds the
-- advisory lock (1447120468, datacenter), an agent login is bound to that datacenter, and the holder agent row is of
-- that datacenter. clock_timestamp() in the upsert is evaluated after the row lock is granted, so after every writer
-- transaction that holds the row FOR SHARE has committed.
CREATE FUNCTION vantage_take_datacenter_lease(datacenter integer, agent integer, coverage_delay interval)
    RETURNS TABLE (lease_epoch bigint, lease_acquired_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    bound integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_locks l
                   WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                     AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                     AND l.classid = 1447120468::oid AND l.objid = datacenter::oid AND l.objsubid = 2) THEN
        RAISE EXCEPTION 'datacenter % lease refused: this session does not hold the advisory lock (1447120468, %)',
                datacenter, datacenter
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF vantage_agent_rules_apply() THEN
        bound := vantage_agent_datacenter();
        IF bound IS DISTINCT FROM datacenter THEN
            RAISE EXCEPTION 'datacenter % lease refused: login % is bound to datacenter %', datacenter, session_user,
                    coalesce(bound::text, '(none)')
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF agent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = agent AND a.datacenter_id = datacenter)
    THEN
        RAISE EXCEPTION 'datacenter % lease refused: agent % is not an agent of that datacenter', datacenter, agent
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH lease AS (
        INSERT INTO datacenter_leases AS l (datacenter_id, epoch, holder_agent_id, acquired_at)
        VALUES (datacenter,
                (SELECT coalesce(max(h.epoch), 0) + 1 FROM datacenter_lease_history h WHERE h.datacenter_id = datacenter),
                agent, clock_timestamp() + coverage_delay)
        ON CONFLICT (datacenter_id) DO UPDATE
            SET epoch = l.epoch + 1, holder_agent_id = excluded.holder_agent_id,
                acquired_at = clock_timestamp() + coverage_delay, released_at = NULL
        RETURNING l.datacenter_id, l.epoch, l.holder_agent_id, l.acquired_at)
    INSERT INTO datacenter_lease_history AS h (datacenter_id, epoch, holder_agent_id, acquired_at)
    SELECT lease.datacenter_id, lease.epoch, lease.holder_agent_id, lease.acquired_at FROM lease
    RETURNING h.epoch, h.acquired_at;
END
$$;
COMMENT ON FUNCTION vantage_take_datacenter_lease(integer, integer, interval) IS 'Records a new epoch (previous + 1) of a datacenter''s lease for the session that holds its advisory lock; an agent login only for its own datacenter.';
REVOKE EXECUTE ON FUNCTION vantage_take_datacenter_lease(integer, integer, interval) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------------------------
-- Who really holds an advisory lock
-- ---------------------------------------------------------------------------------------------------------------

-- pg_locks shows every lock to everyone; pg_stat_activity shows another login's application_name and client address
-- only to a superuser, a member of that login or of pg_read_all_stats. This function sees them with its owner's
-- rights (grant pg_read_all_stats to the owner if it is no superuser), and reads agent_logins, which the caller may
-- not. A holder is a Vantage login for the key when it is a superuser or the tables' owner (one-user deployments, the
-- demo), for key 0 a member of vantage_monitor, for a datacenter a member of vantage_agent bound to it.
CREATE FUNCTION vantage_lock_holder(lock_key integer)
    RETURNS TABLE (holder_pid integer, holder_login text, holder_application text, holder_address text,
                   holder_is_vantage boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT l.pid, r.rolname::text, a.application_name, host(a.client_addr),
           CASE WHEN r.oid IS NULL THEN false
                WHEN r.rolsuper OR pg_has_role(r.oid, (SELECT c.relowner FROM pg_class c
                                                       WHERE c.oid = 'datacenter_leases'::regclass), 'MEMBER') THEN true
                WHEN lock_key = 0 THEN CASE WHEN to_regrole('vantage_monitor') IS NULL THEN false
                                            ELSE pg_has_role(r.oid, 'vantage_monitor', 'USAGE') END
                ELSE CASE WHEN to_regrole('vantage_agent') IS NULL THEN false
                          ELSE pg_has_role(r.oid, 'vantage_agent', 'USAGE')
                               AND EXISTS (SELECT 1 FROM agent_logins b
                                           WHERE b.login = r.rolname AND b.datacenter_id = lock_key) END
           END
    FROM pg_locks l
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    LEFT JOIN pg_roles r ON r.oid = a.usesysid
    WHERE l.locktype = 'advisory' AND l.granted
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND l.classid = 1447120468::oid AND l.objid = lock_key::oid AND l.objsubid = 2
$$;
COMMENT ON FUNCTION vantage_lock_holder(integer) IS 'The backend that holds Vantage''s advisory lock (1447120468, key): pid, login, application_name, client address, and whether it is a Vantage login for that key.';
REVOKE EXECUTE ON FUNCTION vantage_lock_holder(integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------------------------
-- Row-level security (the agent's policies are created with the grants, once vantage_agent exists)
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE api_monitors ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE datacenter_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE datacenter_lease_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON api_monitors USING (true) WITH CHECK (true);
CREATE POLICY everyone ON agents USING (true) WITH CHECK (true);
CREATE POLICY everyone ON datacenter_leases USING (true) WITH CHECK (true);
CREATE POLICY everyone ON datacenter_lease_history USING (true) WITH CHECK (true);
COMMENT ON POLICY everyone ON api_monitors IS 'Every role reads and writes what its grants allow; vantage_agent is narrowed by its own restrictive policy.';
COMMENT ON POLICY everyone ON agents IS 'Every role reads and writes what its grants allow; vantage_agent is narrowed by its own restrictive policies.';
COMMENT ON POLICY everyone ON datacenter_leases IS 'Every role reads and writes what its grants allow; vantage_agent is narrowed by its own restrictive policy.';
COMMENT ON POLICY everyone ON datacenter_lease_history IS 'Every role reads and writes what its grants allow; vantage_agent is narrowed by its own restrictive policy.';

-- ---------------------------------------------------------------------------------------------------------------
-- The URL without its user info
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE api_monitors ADD COLUMN url_redacted text
    GENERATED ALWAYS AS (regexp_replace(url, '^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@', '\1***@')) STORED;
COMMENT ON COLUMN api_monitors.url_redacted IS 'url with its user info (user:password@) replaced by ***@: what vantage_reader may read of the URL.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------------------------

-- V8's function with this version's changes: the CONNECT block at the top revokes CONNECT and TEMPORARY from
-- PUBLIC; the agent's lease grants shrink to what the lease function leaves it; the reader reads url_redacted, not
-- url; and the block marked "Datacenter binding (V10)" creates the agent's policies and grants the new functions.

CREATE OR REPLACE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    schema_name text := current_schema();
    granted     text[] := '{}';
BEGIN
    -- CONNECT and TEMPORARY: to the group roles (members inherit them), and no longer to PUBLIC, so that a role with
    -- no grants cannot connect and take one of Vantage's advisory locks (V10). The agent's writer and the monitor's
    -- push writer need a temporary staging table (HeartbeatInserter). Only the database owner (or a superuser) may
    -- grant or revoke them; PUBLIC keeps them until all three roles exist, so that no deployment loses its logins
    -- halfway.
    IF EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = current_database()
               AND pg_has_role(current_user, d.datdba, 'MEMBER')) THEN
        IF to_regrole('vantage_agent') IS NOT NULL THEN
            EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO vantage_agent', current_database());
        END IF;
        IF to_regrole('vantage_monitor') IS NOT NULL THEN
            EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO vantage_monitor', current_database());
        END IF;
        IF to_regrole('vantage_reader') IS NOT NULL THEN
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO vantage_reader', current_database());
        END IF;
        IF to_regrole('vantage_agent') IS NOT NULL AND to_regrole('vantage_monitor') IS NOT NULL
                AND to_regrole('vantage_reader') IS NOT NULL THEN
            EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
        END IF;
    ELSE
        RAISE NOTICE '% does not own database %: CONNECT and TEMPORARY were neither granted to the Vantage roles nor revoked from PUBLIC. Have its owner run: GRANT CONNECT, TEMPORARY ON DATABASE % TO vantage_agent, vantage_monitor; GRANT CONNECT ON DATABASE % TO vantage_reader; REVOKE CONNECT, TEMPORARY ON DATABASE % FROM PUBLIC;', current_user, current_database(), quote_ident(current_database()), quote_ident(current_database()), quote_ident(current_database());
    END IF;

    IF to_regrole('vantage_agent') IS NOT NULL THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO vantage_agent', schema_name);
        -- Migrations.requireCurrent: an agent refuses an outdated schema.
        GRANT SELECT ON flyway_schema_history TO vantage_agent;
        -- ConfigDao: the monitors of its datacenter, with their schedule, headers and body (it sends them).
        GRANT SELECT ON regions, datacenters, schedules, api_monitors, datacenter_monitors TO vantage_agent;
        -- AgentDao: registers (INSERT ... RETURNING id), refreshes and stops its row; DatacenterKind reads holders' names.
        GRANT SELECT, INSERT ON agents TO vantage_agent;
        GRANT UPDATE (last_seen_at, role, lease_epoch, lease_checked_at, stopped_at) ON agents TO vantage_agent;
        GRANT USAGE ON SEQUENCE agents_id_seq TO vantage_agent;
        -- DatacenterKind: takes the lease through vantage_take_datacenter_lease (V10) and releases it and its history
        -- row (released_at); HeartbeatInserter locks the lease rows FOR SHARE (which needs UPDATE on a column) and
        -- reads the history for the fence. Row-level security narrows the updates to its datacenter's rows.
        REVOKE INSERT, UPDATE ON datacenter_leases, datacenter_lease_history FROM vantage_agent;
        GRANT SELECT ON datacenter_leases, datacenter_lease_history TO vantage_agent;
        GRANT UPDATE (released_at) ON datacenter_leases, datacenter_lease_history TO vantage_agent;
        -- HeartbeatInserter: COPY / INSERT ... ON CONFLICT DO NOTHING (INSERT), and its staging table, created as
        -- SELECT <the COPY columns> FROM api_heartbeats WITH NO DATA (SELECT on those columns). No UPDATE, no DELETE.
        GRANT INSERT ON api_heartbeats TO vantage_agent;
        GRANT SELECT (monitor_id, datacenter_id, agent_id, lease_epoch, scheduled_at, executed_at, success,
                      response_time_ms, response_size_bytes, response_status_code, response_content_type,
                      response_server, response_cache_status, dns_lookup_ms, tcp_connect_ms, tls_handshake_ms,
                      time_to_first_byte_ms, server_processing_ms, content_transfer_ms, redirect_ms, redirect_count,
                      remote_address, warning_threshold_ms, critical_threshold_ms, error_type, error_message,
                      raw_request_headers, raw_response_headers, raw_response_body)
            ON api_heartbeats TO vantage_agent;
        GRANT USAGE ON SEQUENCE api_heartbeats_id_seq TO vantage_agent;
        -- PartitionMaintainer and the writer's retry on a missing partition.
        GRANT EXECUTE ON FUNCTION vantage_ensure_heartbeat_partitions(date, integer) TO vantage_agent;
        granted := granted || 'vantage_agent'::text;
    END IF;

    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO vantage_monitor', schema_name);
        GRANT SELECT ON flyway_schema_history TO vantage_monitor;
        -- EvaluationConfigDao: monitors, their datacenters and channels (settings: it sends), agents for liveness.
        -- Not api_monitors.headers nor body: it never sends a request.
        GRANT SELECT ON regions, datacenters, schedules, datacenter_monitors, monitor_channels, notification_channels,
                        agents, datacenter_leases, datacenter_lease_history, api_heartbeats TO vantage_monitor;
        GRANT SELECT (id, name, method, type, url, url_redacted, schedule_id, settings, enabled, timeout_ms, created_at, updated_at,
                      down_after, up_after, degraded_after, grace_seconds, quorum, flap_changes, flap_window_minutes)
            ON api_monitors TO vantage_monitor;
        -- StateStore: upserts states and deletes those of monitors and datacenters that no longer exist.
        GRANT SELECT, INSERT, UPDATE, DELETE ON monitor_states TO vantage_monitor;
        -- IncidentStore, OutboxDao, Delivery, HeartbeatCursor, MonitorKind / MonitorLease (FOR SHARE needs UPDATE).
        GRANT SELECT, INSERT, UPDATE ON incidents, notifications, monitor_leases, monitor_cursor TO vantage_monitor;
        GRANT SELECT, INSERT ON notification_attempts TO vantage_monitor;
        GRANT USAGE ON SEQUENCE incidents_id_seq, notifications_id_seq TO vantage_monitor;
        -- Partitions ahead are also kept by whoever holds the monitor lease.
        GRANT EXECUTE ON FUNCTION vantage_ensure_heartbeat_partitions(date, integer) TO vantage_monitor;
        granted := granted || 'vantage_monitor'::text;
    END IF;

    IF to_regrole('vantage_reader') IS NOT NULL THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO vantage_reader', schema_name);
        -- vantage status, run as a reader, checks the schema version like the agent does.
        GRANT SELECT ON flyway_schema_history TO vantage_reader;
        GRANT SELECT ON regions, datacenters, schedules, datacenter_monitors, monitor_channels, agents,
                        datacenter_leases, datacenter_lease_history, api_heartbeats, monitor_states, incidents,
                        notifications, notification_attempts, monitor_leases, monitor_cursor TO vantage_reader;
        -- Every column but the secrets: headers (e.g. Authorization), body and url of api_monitors (user info: V10
        -- gives url_redacted instead), settings of channels.
        REVOKE SELECT (url) ON api_monitors FROM vantage_reader;
        GRANT SELECT (id, name, method, type, url_redacted, schedule_id, settings, enabled, timeout_ms, created_at,
                      updated_at, down_after, up_after, degraded_after, grace_seconds, quorum, flap_changes,
                      flap_window_minutes)
            ON api_monitors TO vantage_reader;
        GRANT SELECT (id, name, type, enabled, is_default, repeat_every, created_at, updated_at)
            ON notification_channels TO vantage_reader;
        granted := granted || 'vantage_reader'::text;
    END IF;

    -- >>> Grants on objects of later migrations go here (one block per object, guarded like the ones above). <<<
    -- Heartbeat rollups (V4): the monitor writes them and drops old partitions only through the SECURITY DEFINER
    -- functions (DataLifecycle), and reads max(hour) to know where to resume; dashboards read the table and the
    -- views. The agent gets nothing.
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        GRANT SELECT ON api_heartbeat_rollups, api_uptime_daily, api_sla_monthly TO vantage_monitor;
        GRANT EXECUTE ON FUNCTION vantage_rollup_heartbeats(timestamptz, timestamptz) TO vantage_monitor;
        GRANT EXECUTE ON FUNCTION vantage_drop_heartbeat_partitions(integer, timestamptz) TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        GRANT SELECT ON api_heartbeat_rollups, api_uptime_daily, api_sla_monthly TO vantage_reader;
    END IF;

    -- Push monitors (V7). Every monitor replica serves the ping endpoints: PushDao reads the tokens (push_token is
    -- the credential of a ping URL), and its HeartbeatWriter writes the beats like an agent's writer does (COPY or
    -- INSERT ... ON CONFLICT DO NOTHING through a temporary staging table of the COPY columns, whose id default
    -- takes a sequence number). The agent's staging table has the new columns too. push_subject is for NATS and
    -- Redis senders and no secret; dashboards see it, never push_token.
    BEGIN
        IF to_regrole('vantage_monitor') IS NOT NULL THEN
            EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO vantage_monitor', current_database());
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE '% does not own database %: TEMPORARY was not granted to vantage_monitor; PUBLIC has it by default', current_user, current_database();
    END;
    IF to_regrole('vantage_agent') IS NOT NULL THEN
        GRANT SELECT (beat_kind, message, details) ON api_heartbeats TO vantage_agent;
    END IF;
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        GRANT SELECT (push_token, push_subject) ON api_monitors TO vantage_monitor;
        GRANT INSERT ON api_heartbeats TO vantage_monitor;
        GRANT USAGE ON SEQUENCE api_heartbeats_id_seq TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        GRANT SELECT (push_subject) ON api_monitors TO vantage_reader;
    END IF;

    -- Registration of push subjects (V8). NATS ingest registers an unknown subject as a push monitor only through
    -- the SECURITY DEFINER function, so the monitor's role writes no configuration table itself.
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        GRANT EXECUTE ON FUNCTION vantage_register_push_subject(text, text, integer, integer) TO vantage_monitor;
    END IF;

    -- Datacenter binding (V10). An agent login reads the monitors of its datacenter only, and writes its datacenter's
    -- agents and lease rows only (restrictive policies: they narrow what the permissive policy "everyone" allows).
    -- (SELECT f()) runs the function once per statement. The owner binds logins; nobody else reads agent_logins.
    IF to_regrole('vantage_agent') IS NOT NULL THEN
        DROP POLICY IF EXISTS agent_own_datacenter ON api_monitors;
        CREATE POLICY agent_own_datacenter ON api_monitors AS RESTRICTIVE FOR SELECT TO vantage_agent
            USING (id IN (SELECT dm.monitor_id FROM datacenter_monitors dm
                          WHERE dm.datacenter_id = (SELECT vantage_agent_datacenter())));
        DROP POLICY IF EXISTS agent_inserts_own_datacenter ON agents;
        CREATE POLICY agent_inserts_own_datacenter ON agents AS RESTRICTIVE FOR INSERT TO vantage_agent
            WITH CHECK (datacenter_id = (SELECT vantage_agent_datacenter()));
        DROP POLICY IF EXISTS agent_updates_own_datacenter ON agents;
        CREATE POLICY agent_updates_own_datacenter ON agents AS RESTRICTIVE FOR UPDATE TO vantage_agent
            USING (datacenter_id = (SELECT vantage_agent_datacenter()))
            WITH CHECK (datacenter_id = (SELECT vantage_agent_datacenter()));
        DROP POLICY IF EXISTS agent_own_datacenter ON datacenter_leases;
        CREATE POLICY agent_own_datacenter ON datacenter_leases AS RESTRICTIVE FOR UPDATE TO vantage_agent
            USING (datacenter_id = (SELECT vantage_agent_datacenter()))
            WITH CHECK (datacenter_id = (SELECT vantage_agent_datacenter()));
        DROP POLICY IF EXISTS agent_own_datacenter ON datacenter_lease_history;
        CREATE POLICY agent_own_datacenter ON datacenter_lease_history AS RESTRICTIVE FOR UPDATE TO vantage_agent
            USING (datacenter_id = (SELECT vantage_agent_datacenter()))
            WITH CHECK (datacenter_id = (SELECT vantage_agent_datacenter()));
        GRANT EXECUTE ON FUNCTION vantage_take_datacenter_lease(integer, integer, interval) TO vantage_agent;
        GRANT EXECUTE ON FUNCTION vantage_lock_holder(integer) TO vantage_agent;
    END IF;
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        GRANT EXECUTE ON FUNCTION vantage_lock_holder(integer) TO vantage_monitor;
    END IF;
    REVOKE ALL ON agent_logins FROM PUBLIC;

    -- A SECURITY DEFINER function runs with its owner's rights: only the roles that need it may call it. Left to
    -- PUBLIC while the roles are missing, so that a deployment whose agents log in as another non-owner role keeps
    -- its partitions.
    IF to_regrole('vantage_agent') IS NOT NULL AND to_regrole('vantage_monitor') IS NOT NULL THEN
        REVOKE EXECUTE ON FUNCTION vantage_ensure_heartbeat_partitions(date, integer) FROM PUBLIC;
    ELSE
        GRANT EXECUTE ON FUNCTION vantage_take_datacenter_lease(integer, integer, interval) TO PUBLIC;
        GRANT EXECUTE ON FUNCTION vantage_lock_holder(integer) TO PUBLIC;
    END IF;

    -- PostgreSQL 14 still lets PUBLIC create tables in schema public (15 and later do not). Only its owner may revoke
    -- that; anyone else gets a warning or an error, and a notice here.
    IF vantage_public_may_create(schema_name) THEN
        BEGIN
            EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', schema_name);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL; -- told below
        END;
        IF vantage_public_may_create(schema_name) THEN
            RAISE NOTICE 'PUBLIC may create tables in schema %: its owner should REVOKE CREATE ON SCHEMA % FROM PUBLIC', schema_name, schema_name;
        ELSE
            RAISE NOTICE 'Revoked CREATE on schema % from PUBLIC (the default of PostgreSQL 15 and later)', schema_name;
        END IF;
    END IF;
    RETURN granted;
END
$$;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;

SELECT vantage_grant_roles();
