-- Vantage schema, version 8: push subjects registered by the monitor.
--
-- A NATS sender (the Go nats-heartbeat agent, or vantage beat) names its monitor by subject. When no push monitor has
-- that subject, vantage monitor registers one (unless VANTAGE_NATS_AUTO_REGISTER=false): a push monitor with the
-- subject, the sender's description as its name, and a schedule with the sender's interval. It does so through one
-- SECURITY DEFINER function, so that vantage_monitor needs EXECUTE on it and no INSERT on api_monitors or schedules:
-- the monitor can create a push monitor for a subject, and nothing else.

-- ---------------------------------------------------------------------------------------------------------------
-- vantage_register_push_subject
-- ---------------------------------------------------------------------------------------------------------------

-- Race-safe across replicas: the subject's row is taken when it exists (enabled or not: a disabled row is how a
-- subject is retired, and it is never registered again); else the schedule of that interval is reused (the oldest)
-- or created under an advisory lock per interval, so replicas registering at once create one schedule; then the
-- monitor is inserted ON CONFLICT (push_subject) DO NOTHING and read back, so every caller gets the one row.
CREATE FUNCTION vantage_register_push_subject(subject text, monitor_name text, interval_seconds integer,
                                              grace integer)
    RETURNS TABLE (id integer, enabled boolean, registered boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    schedule      integer;
    registered_id integer;
BEGIN
    IF subject IS NULL OR subject !~ '^\S{1,255}$' THEN
        RAISE EXCEPTION 'vantage_register_push_subject: a subject has 1 to 255 characters and no blank'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF interval_seconds IS NULL OR interval_seconds NOT BETWEEN 1 AND 86400 THEN
        RAISE EXCEPTION 'vantage_register_push_subject: interval_seconds must be 1 to 86400, was %', interval_seconds
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF grace IS NOT NULL AND grace NOT BETWEEN 1 AND 604800 THEN
        RAISE EXCEPTION 'vantage_register_push_subject: grace must be NULL or 1 to 604800, was %', grace
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT m.id, m.enabled, false FROM api_monitors m
        WHERE m.push_subject = subject AND lower(btrim(m.type)) = 'push';
    IF FOUND THEN
        RETURN;
    END IF;
    -- 1448104776 is 'VPSH': a namespace of its own, apart from the leases' (V2, V3).
    PERFORM pg_advisory_xact_lock(1448104776, interval_seconds);
    SELECT s.id INTO schedule FROM schedules s WHERE s.interval = interval_seconds ORDER BY s.id LIMIT 1;
    IF schedule IS NULL THEN
        INSERT INTO schedules (name, interval)
        VALUES (format('every %s s (push)', interval_seconds), interval_seconds)
        RETURNING schedules.id INTO schedule;
    END IF;
    INSERT INTO api_monitors (name, type, schedule_id, grace_seconds, push_subject)
    VALUES (left(coalesce(nullif(btrim(monitor_name), ''), subject), 100), 'push', schedule, grace, subject)
    ON CONFLICT (push_subject) DO NOTHING
    RETURNING api_monitors.id INTO registered_id;
    RETURN QUERY SELECT m.id, m.enabled, m.id IS NOT DISTINCT FROM registered_id FROM api_monitors m
        WHERE m.push_subject = subject AND lower(btrim(m.type)) = 'push';
END
$$;
REVOKE EXECUTE ON FUNCTION vantage_register_push_subject(text, text, integer, integer) FROM PUBLIC;
COMMENT ON FUNCTION vantage_register_push_subject(text, text, integer, integer) IS 'The push monitor of a subject (id, enabled, and whether this call registered it), registered when none has it: name (else the subject, cut to 100 characters), a schedule of interval_seconds (reused or created), grace_seconds. A disabled row is returned, never replaced. No row when a non-push monitor holds the subject.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------------------------

-- V7's function with the grant of this version added in the block marked "Registration of push subjects (V8)"; the
-- rest is unchanged.
CREATE OR REPLACE FUNCTION vantage_grant_roles() RETURNS text[]
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
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;

SELECT vantage_grant_roles();
