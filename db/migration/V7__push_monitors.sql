-- Vantage schema, version 7: push monitors.
--
-- A push monitor is not probed: a service or a cron job sends beats (GET/HEAD/POST /ping/<push_token> on the HTTP
-- port of every vantage monitor replica; NATS and Redis senders name it by push_subject), and silence past its grace
-- is DOWN. Every beat is one api_heartbeats row with datacenter_id 0: 0 is never a datacenter id (serial ids start at
-- 1), and the monitor lease already uses 0 as "no datacenter". Its scheduled_at is the receive time at microsecond
-- precision, made strictly increasing per monitor by the receiving process, so the unique slot key makes a retried or
-- replayed write of one beat a no-op and two beats never share a row.
--
-- Agents never load push monitors (ConfigDao.listMonitors excludes them), so a push monitor assigned to a datacenter
-- by mistake is neither probed nor reported INVALID_CONFIG.

-- ---------------------------------------------------------------------------------------------------------------
-- api_monitors: the secret of the ping URL, and the name other transports use
-- ---------------------------------------------------------------------------------------------------------------

-- At least 128 random bits from PostgreSQL's strong random source: gen_random_uuid() (built in since PostgreSQL 13,
-- no pgcrypto) draws its 122 random bits from pg_strong_random; two of them give 244, encoded base64url without
-- padding (43 characters, URL-safe).
CREATE FUNCTION vantage_new_push_token() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT rtrim(translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
                                  'base64'), '+/', '-_'), '=')
$$;
COMMENT ON FUNCTION vantage_new_push_token() IS 'A new push token: 244 random bits (two gen_random_uuid()), base64url without padding, 43 characters.';

ALTER TABLE api_monitors
    ADD COLUMN push_token   text UNIQUE CONSTRAINT api_monitors_push_token_check CHECK (push_token ~ '^[A-Za-z0-9_-]{22,128}$'),
    ADD COLUMN push_subject text UNIQUE CONSTRAINT api_monitors_push_subject_check CHECK (push_subject ~ '^\S{1,255}$');
COMMENT ON COLUMN api_monitors.type IS 'Monitor type: http (also accepts the old HTTP and HTTPS), tcp, or push (not probed: the monitored job sends beats, see push_token). Case-insensitive.';
COMMENT ON COLUMN api_monitors.push_token IS 'push monitors: the secret of the ping URL /ping/<push_token> (22 to 128 characters of A-Z a-z 0-9 _ -). Set by a trigger when a push row has none; SET push_token = NULL rotates it (the trigger sets a new one); a chosen value is kept. Never shown to vantage_reader.';
COMMENT ON COLUMN api_monitors.push_subject IS 'push monitors: the name NATS and Redis senders use for this monitor (no whitespace, at most 255 characters); NULL: HTTP pings only.';

CREATE FUNCTION vantage_push_token_default() RETURNS trigger
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
BEGIN
    IF NEW.push_token IS NULL AND lower(btrim(NEW.type)) = 'push' THEN
        NEW.push_token := vantage_new_push_token();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION vantage_push_token_default() IS 'Gives a push monitor without a push_token a new one, on insert and on update (so SET push_token = NULL rotates it).';
CREATE TRIGGER api_monitors_push_token BEFORE INSERT OR UPDATE ON api_monitors
    FOR EACH ROW EXECUTE FUNCTION vantage_push_token_default();

-- ---------------------------------------------------------------------------------------------------------------
-- api_heartbeats: what a pushed beat adds
-- ---------------------------------------------------------------------------------------------------------------

-- Nullable, without a default: adding them rewrites and scans nothing. The CHECK is added NOT VALID for the same
-- reason (validating it would scan every partition under this migration's lock); every existing row has NULL, which
-- passes it, and new rows are checked as usual.
ALTER TABLE api_heartbeats
    ADD COLUMN beat_kind text,
    ADD COLUMN message   text,
    ADD COLUMN details   jsonb;
ALTER TABLE api_heartbeats
    ADD CONSTRAINT api_heartbeats_beat_kind_check CHECK (beat_kind IN ('success', 'fail', 'start', 'log')) NOT VALID;
COMMENT ON COLUMN api_heartbeats.beat_kind IS 'NULL for a probe. For a pushed beat: success, fail (also an exit status other than 0), start (a run began) or log (a message, no change of state).';
COMMENT ON COLUMN api_heartbeats.message IS 'Pushed beats: what the sender sent with the beat (a POST body), as UTF-8 text, at most 100 KiB; a longer one is cut and ends with "… [cut: N bytes received]". NULL when nothing was sent.';
COMMENT ON COLUMN api_heartbeats.details IS 'Pushed beats: how the beat came, e.g. {"source": "http", "method": "POST", "remote": "192.0.2.7", "rid": "<uuid>", "exit_status": 3, "body_bytes": 1024}. NULL for probes.';
COMMENT ON COLUMN api_heartbeats.datacenter_id IS 'Datacenter the probe ran from; 0 for a pushed beat (no datacenter).';
COMMENT ON COLUMN api_heartbeats.agent_id IS 'Agent process that ran the probe (agents.id); NULL for a pushed beat.';
COMMENT ON COLUMN api_heartbeats.scheduled_at IS 'The slot on the monitor''s schedule grid that this probe fills. Pushed beats: the receive time at microsecond precision, strictly increasing per monitor (a beat received in the same microsecond as the previous one gets the next microsecond).';
COMMENT ON COLUMN api_heartbeats.executed_at IS 'When the probe really started; for a pushed beat, when it was received.';
COMMENT ON COLUMN api_heartbeats.success IS 'true when every check passed (connection, TLS, status, body). Pushed beats: false for fail (or an exit status other than 0), else true.';
COMMENT ON COLUMN api_heartbeats.response_time_ms IS 'Total probe time in ms, from start until the last body byte read (includes redirects). Pushed success and fail beats: the run''s duration since its start beat, when one was paired; else NULL.';
COMMENT ON COLUMN api_heartbeats.error_type IS 'Why the probe failed: DNS, CONNECT, TLS, TIMEOUT, HTTP_STATUS, BODY, PROTOCOL, INVALID_CONFIG or INTERNAL; pushed beats: FAIL or EXIT_STATUS; NULL on success.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------------------------

-- V5's function with the grants of this version added where it says later grants go, so that a DBA who creates the
-- roles after this migration gets them from the same SELECT vantage_grant_roles(); as before. The V5 part is
-- unchanged; what this version adds is the block marked "Push monitors (V7)".
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
