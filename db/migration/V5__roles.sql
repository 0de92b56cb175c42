-- Least privilege: three NOLOGIN group roles with exactly the privileges Vantage's code uses, derived from every SQL
-- statement in src/main/java (store/*Dao, heartbeat/HeartbeatInserter, lease/*Kind, evaluate/*Store, HeartbeatCursor).
--
--   vantage_agent    reads the configuration, writes heartbeats, its agents row and the datacenter lease rows.
--   vantage_monitor  reads configuration and heartbeats, writes states, incidents, the outbox and its own lease/cursor.
--   vantage_reader   reads everything a dashboard needs, but no credential: not notification_channels.settings, not
--                    api_monitors.headers nor api_monitors.body (a request body can carry a login).
--
-- Login users are members of one group (vantage roles create-login, or CREATE ROLE ... LOGIN IN ROLE vantage_agent).
-- Settings set with ALTER ROLE on a group are not inherited by its members, so the timeouts
-- (idle_in_transaction_session_timeout, statement_timeout) are set on each login role, never here.
--
-- Roles are cluster-wide and need CREATEROLE. A migrating user without it, where the roles do not exist yet, skips
-- their creation with a NOTICE and the migration succeeds; a DBA then creates them (vantage roles print) and runs
-- SELECT vantage_grant_roles(); as the owner of the tables. The grants live in that function so that the same
-- statements serve both paths. A later migration that adds a table re-creates the function with the table's grants.
--
-- Privileges that cannot be taken away, and need not be: LISTEN/NOTIFY/pg_notify (any role may use any channel) and
-- advisory locks (any role may take any key). PostgreSQL checks privileges on the partitioned table named in a
-- statement, not on the partition a row is routed to, so grants on api_heartbeats cover its daily partitions, which
-- vantage_ensure_heartbeat_partitions (SECURITY DEFINER) creates as its owner.

-- ---------------------------------------------------------------------------------------------------------------
-- The roles (cluster-wide, created only if missing)
-- ---------------------------------------------------------------------------------------------------------------

DO $roles$
DECLARE
    wanted      text[] := ARRAY['vantage_agent', 'vantage_monitor', 'vantage_reader'];
    r           text;
    may_create  boolean;
BEGIN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    FOREACH r IN ARRAY wanted LOOP
        CONTINUE WHEN to_regrole(r) IS NOT NULL;
        IF NOT may_create THEN
            RAISE NOTICE 'Role % does not exist and % may not create roles (no CREATEROLE): skipped. Have a DBA run the SQL of "vantage roles print", then SELECT vantage_grant_roles(); as the owner of the tables.', r, current_user;
            CONTINUE;
        END IF;
        -- Databases of one cluster can migrate at the same time (tests do): advisory locks are per database, so they
        -- cannot serialize this. The loser of a race sees duplicate_object (the other CREATE ROLE committed before
        -- ours looked) or unique_violation (it committed while ours waited on pg_authid's unique index).
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXECUTE format('COMMENT ON ROLE %I IS %L', r, CASE r
                WHEN 'vantage_agent' THEN 'Vantage agents: read configuration, write heartbeats, agents and lease rows.'
                WHEN 'vantage_monitor' THEN 'Vantage monitor module: states, incidents, notifications.'
                ELSE 'Read-only access for dashboards, without credentials.' END);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            RAISE NOTICE 'Role % was created concurrently by another migration', r;
        END;
    END LOOP;
END
$roles$;

-- ---------------------------------------------------------------------------------------------------------------
-- The grants, to whichever of the roles exist
-- ---------------------------------------------------------------------------------------------------------------

-- Whether PUBLIC holds CREATE on a schema (has_schema_privilege cannot ask about PUBLIC).
CREATE FUNCTION vantage_public_may_create(schema_name text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
                   WHERE n.nspname = schema_name AND a.grantee = 0 AND a.privilege_type = 'CREATE')
$$;

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    schema_name text := current_schema();
    granted     text[] := '{}';
BEGIN
    -- CONNECT and TEMPORARY belong to PUBLIC by default, but hardened clusters revoke them; the agent's writer needs a
    -- temporary staging table (HeartbeatInserter). Only the database owner may grant them.
    BEGIN
        IF to_regrole('vantage_agent') IS NOT NULL THEN
            EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO vantage_agent', current_database());
        END IF;
        IF to_regrole('vantage_monitor') IS NOT NULL THEN
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO vantage_monitor', current_database());
        END IF;
        IF to_regrole('vantage_reader') IS NOT NULL THEN
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO vantage_reader', current_database());
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE '% does not own database %: CONNECT (and TEMPORARY for vantage_agent) were not granted; PUBLIC has them by default', current_user, current_database();
    END;

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
        -- DatacenterKind: takes (upsert) and releases the lease and its history row; HeartbeatInserter locks the lease
        -- rows FOR SHARE (which needs UPDATE) and reads the history for the fence.
        GRANT SELECT, INSERT, UPDATE ON datacenter_leases TO vantage_agent;
        GRANT SELECT, INSERT ON datacenter_lease_history TO vantage_agent;
        GRANT UPDATE (released_at) ON datacenter_lease_history TO vantage_agent;
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
        GRANT SELECT (id, name, method, type, url, schedule_id, settings, enabled, timeout_ms, created_at, updated_at,
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
        -- Every column but the secrets: headers (e.g. Authorization) and body of api_monitors, settings of channels.
        GRANT SELECT (id, name, method, type, url, schedule_id, settings, enabled, timeout_ms, created_at, updated_at,
                      down_after, up_after, degraded_after, grace_seconds, quorum, flap_changes, flap_window_minutes)
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

    -- A SECURITY DEFINER function runs with its owner's rights: only the roles that need it may call it. Left to
    -- PUBLIC while the roles are missing, so that a deployment whose agents log in as another non-owner role keeps
    -- its partitions.
    IF to_regrole('vantage_agent') IS NOT NULL AND to_regrole('vantage_monitor') IS NOT NULL THEN
        REVOKE EXECUTE ON FUNCTION vantage_ensure_heartbeat_partitions(date, integer) FROM PUBLIC;
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
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;

SELECT vantage_grant_roles();
