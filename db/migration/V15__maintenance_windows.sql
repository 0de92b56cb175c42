-- Vantage schema, version 15: maintenance windows.
--
-- A maintenance window is a row: one-off (starts_at, ends_at) or weekly (weekdays, start_time, duration, time_zone),
-- over some monitors, some datacenters, or everything (NULL arrays). While a window covers a (monitor, datacenter)
-- pair, probes keep running, the monitor module marks their heartbeats (in_maintenance), shows the state as
-- MAINTENANCE (keeping what the heartbeats say in underlying_state) and sends no notice; whatever still fails when the
-- window ends fires then. Uptime and SLA views leave maintenance probes out and say how much they left out.

-- ---------------------------------------------------------------------------------------------------------------
-- Windows
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE maintenance_windows (
    id             serial PRIMARY KEY,
    reason         text NOT NULL,
    monitor_ids    integer[],
    datacenter_ids integer[],
    starts_at      timestamptz,
    ends_at        timestamptz,
    weekdays       text[],
    start_time     time,
    duration       interval,
    time_zone      text,
    created_by     text NOT NULL DEFAULT 'sql',
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT maintenance_windows_reason_check CHECK (btrim(reason) <> '' AND length(reason) <= 500),
    CONSTRAINT maintenance_windows_created_by_check CHECK (created_by IN ('sql', 'cli')),
    CONSTRAINT maintenance_windows_monitor_ids_check
        CHECK (monitor_ids IS NULL OR (cardinality(monitor_ids) > 0 AND array_position(monitor_ids, NULL) IS NULL)),
    CONSTRAINT maintenance_windows_datacenter_ids_check
        CHECK (datacenter_ids IS NULL OR (cardinality(datacenter_ids) > 0 AND array_position(datacenter_ids, NULL) IS NULL)),
    -- Exactly one kind: every one-off column set and no weekly one, or the other way round.
    CONSTRAINT maintenance_windows_one_kind_check CHECK (
        (starts_at IS NOT NULL AND ends_at IS NOT NULL
            AND weekdays IS NULL AND start_time IS NULL AND duration IS NULL AND time_zone IS NULL)
        OR (starts_at IS NULL AND ends_at IS NULL
            AND weekdays IS NOT NULL AND start_time IS NOT NULL AND duration IS NOT NULL AND time_zone IS NOT NULL)),
    CONSTRAINT maintenance_windows_ends_after_start_check CHECK (ends_at > starts_at),
    CONSTRAINT maintenance_windows_weekdays_check CHECK (
        cardinality(weekdays) > 0 AND weekdays <@ ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
    CONSTRAINT maintenance_windows_duration_check
        CHECK (duration > interval '0' AND duration <= interval '7 days' AND date_part('month', duration) = 0)
);
CREATE INDEX maintenance_windows_ends_idx ON maintenance_windows (ends_at);
COMMENT ON TABLE maintenance_windows IS 'Planned work: while a window covers a (monitor, datacenter) pair, probes keep running, their heartbeats are marked in_maintenance, the state reads MAINTENANCE and nothing is notified; what still fails at the end fires then. One-off (starts_at, ends_at) or weekly (weekdays, start_time, duration, time_zone). Read by vantage monitor (reloaded on NOTIFY vantage_config).';
COMMENT ON COLUMN maintenance_windows.id IS 'Window id (vantage maintenance stop <id>).';
COMMENT ON COLUMN maintenance_windows.reason IS 'Why, for people: shown by vantage status, the status page and vantage maintenance list.';
COMMENT ON COLUMN maintenance_windows.monitor_ids IS 'Monitors covered (api_monitors.id); NULL: every monitor.';
COMMENT ON COLUMN maintenance_windows.datacenter_ids IS 'Datacenters covered (datacenters.id); NULL: every datacenter. A window applies to a (monitor, datacenter) pair when both match; a push monitor''s beats are in datacenter 0.';
COMMENT ON COLUMN maintenance_windows.starts_at IS 'One-off window: start (inclusive).';
COMMENT ON COLUMN maintenance_windows.ends_at IS 'One-off window: end (exclusive).';
COMMENT ON COLUMN maintenance_windows.weekdays IS 'Weekly window: the days it starts on, of mon, tue, wed, thu, fri, sat, sun (local to time_zone).';
COMMENT ON COLUMN maintenance_windows.start_time IS 'Weekly window: local start time in time_zone. A start in a DST gap moves forward by the gap; in an overlap it is the earlier instant.';
COMMENT ON COLUMN maintenance_windows.duration IS 'Weekly window: length (elapsed time, up to 7 days; no months). It may cross midnight.';
COMMENT ON COLUMN maintenance_windows.time_zone IS 'Weekly window: IANA time zone of weekdays and start_time, e.g. Europe/Paris (checked against pg_timezone_names).';
COMMENT ON COLUMN maintenance_windows.created_by IS 'sql (a row written by hand) or cli (vantage maintenance start).';
COMMENT ON COLUMN maintenance_windows.created_at IS 'When the row was created.';

CREATE FUNCTION vantage_check_maintenance_zone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.time_zone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
        RAISE EXCEPTION 'maintenance_windows.time_zone: unknown time zone "%"', NEW.time_zone
            USING ERRCODE = 'check_violation', HINT = 'Use an IANA name from pg_timezone_names, e.g. Europe/Paris or UTC.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION vantage_check_maintenance_zone() IS 'Rejects a maintenance window whose time_zone PostgreSQL does not know.';
CREATE TRIGGER maintenance_windows_zone BEFORE INSERT OR UPDATE OF time_zone ON maintenance_windows
    FOR EACH ROW EXECUTE FUNCTION vantage_check_maintenance_zone();
CREATE TRIGGER maintenance_windows_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON maintenance_windows
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();

-- ---------------------------------------------------------------------------------------------------------------
-- States and heartbeats
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE monitor_states DROP CONSTRAINT monitor_states_state_check;
ALTER TABLE monitor_states ADD CONSTRAINT monitor_states_state_check
    CHECK (state IN ('UP', 'DEGRADED', 'PARTIAL', 'DOWN', 'UNKNOWN', 'MAINTENANCE'));
ALTER TABLE monitor_states ADD COLUMN underlying_state text
    CHECK (underlying_state IN ('UP', 'DEGRADED', 'DOWN', 'UNKNOWN'));
COMMENT ON COLUMN monitor_states.state IS 'UP; DEGRADED (slow past the warning threshold); DOWN (down_after failures in a row; globally: a quorum of datacenters DOWN); PARTIAL (global only: some datacenters DOWN, fewer than the quorum); UNKNOWN (no heartbeat within the grace window: the agent or datacenter is lost, not the target); MAINTENANCE (a maintenance window covers it; globally: covers every datacenter of the monitor).';
COMMENT ON COLUMN monitor_states.underlying_state IS 'Datacenter rows: what the heartbeats say (UP, DEGRADED, DOWN, UNKNOWN), also while state is MAINTENANCE; since and the counters belong to it. NULL in global rows and in rows written before schema 15 (then state is it).';

ALTER TABLE api_heartbeats ADD COLUMN in_maintenance boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN api_heartbeats.in_maintenance IS 'Set by vantage monitor when it evaluated the row inside a maintenance window covering its monitor and datacenter (by the row''s scheduled_at); such rows count as maintenance_probes, not in uptime.';

-- ---------------------------------------------------------------------------------------------------------------
-- Rollups, uptime and SLA
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE api_heartbeat_rollups ADD COLUMN maintenance_probes integer NOT NULL DEFAULT 0;
ALTER TABLE api_heartbeat_rollups ADD COLUMN maintenance_successes integer NOT NULL DEFAULT 0;
ALTER TABLE api_heartbeat_rollups ADD CONSTRAINT api_heartbeat_rollups_maintenance_check
    CHECK (maintenance_probes BETWEEN 0 AND probes AND maintenance_successes BETWEEN 0 AND least(successes, maintenance_probes));
COMMENT ON COLUMN api_heartbeat_rollups.maintenance_probes IS 'Heartbeats of the hour marked in_maintenance (included in probes).';
COMMENT ON COLUMN api_heartbeat_rollups.maintenance_successes IS 'Successful heartbeats of the hour marked in_maintenance (included in successes).';

-- V9's function with the two maintenance counts; CREATE OR REPLACE keeps its owner, SECURITY DEFINER and grants.
CREATE OR REPLACE FUNCTION vantage_rollup_heartbeats(from_hour timestamptz, to_hour timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    written integer;
BEGIN
    IF from_hour IS NULL OR to_hour IS NULL OR to_hour < from_hour THEN
        RAISE EXCEPTION 'vantage_rollup_heartbeats: needs from_hour <= to_hour, was [%, %)', from_hour, to_hour;
    END IF;
    WITH raw AS MATERIALIZED (
        SELECT h.*, date_trunc('hour', h.scheduled_at, 'UTC') AS hour
        FROM api_heartbeats h
        WHERE h.scheduled_at >= date_trunc('hour', from_hour, 'UTC') AND h.scheduled_at < date_trunc('hour', to_hour, 'UTC')
          AND (h.beat_kind IS NULL OR h.beat_kind IN ('success', 'fail'))
    ), errors AS (
        SELECT monitor_id, datacenter_id, hour, jsonb_object_agg(error_type, n) AS errors
        FROM (SELECT monitor_id, datacenter_id, hour, coalesce(error_type, 'UNKNOWN') AS error_type, count(*) AS n
              FROM raw WHERE NOT success GROUP BY 1, 2, 3, 4) e
        GROUP BY 1, 2, 3
    ), hours AS (
        SELECT monitor_id, datacenter_id, hour,
               count(*) AS probes,
               count(*) FILTER (WHERE success) AS successes,
               count(*) FILTER (WHERE in_maintenance) AS maintenance_probes,
               count(*) FILTER (WHERE in_maintenance AND success) AS maintenance_successes,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY response_time_ms) FILTER (WHERE success) AS rt,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY dns_lookup_ms) FILTER (WHERE success) AS dns,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY tcp_connect_ms) FILTER (WHERE success) AS tcp,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY tls_handshake_ms) FILTER (WHERE success) AS tls,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY time_to_first_byte_ms) FILTER (WHERE success) AS ttfb,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY server_processing_ms) FILTER (WHERE success) AS sp,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY content_transfer_ms) FILTER (WHERE success) AS ct
        FROM raw
        GROUP BY 1, 2, 3
    )
    INSERT INTO api_heartbeat_rollups AS r (
        monitor_id, datacenter_id, hour, probes, successes, errors,
        response_time_p50_ms, response_time_p95_ms, response_time_p99_ms,
        dns_lookup_p50_ms, dns_lookup_p95_ms, dns_lookup_p99_ms,
        tcp_connect_p50_ms, tcp_connect_p95_ms, tcp_connect_p99_ms,
        tls_handshake_p50_ms, tls_handshake_p95_ms, tls_handshake_p99_ms,
        time_to_first_byte_p50_ms, time_to_first_byte_p95_ms, time_to_first_byte_p99_ms,
        server_processing_p50_ms, server_processing_p95_ms, server_processing_p99_ms,
        content_transfer_p50_ms, content_transfer_p95_ms, content_transfer_p99_ms,
        rolled_at, maintenance_probes, maintenance_successes)
    SELECT h.monitor_id, h.datacenter_id, h.hour, h.probes, h.successes, coalesce(e.errors, '{}'::jsonb),
           h.rt[1], h.rt[2], h.rt[3],
           h.dns[1], h.dns[2], h.dns[3],
           h.tcp[1], h.tcp[2], h.tcp[3],
           h.tls[1], h.tls[2], h.tls[3],
           h.ttfb[1], h.ttfb[2], h.ttfb[3],
           h.sp[1], h.sp[2], h.sp[3],
           h.ct[1], h.ct[2], h.ct[3],
           now(), h.maintenance_probes, h.maintenance_successes
    FROM hours h
    LEFT JOIN errors e USING (monitor_id, datacenter_id, hour)
    ON CONFLICT (monitor_id, datacenter_id, hour) DO UPDATE SET
        probes = excluded.probes, successes = excluded.successes, errors = excluded.errors,
        response_time_p50_ms = excluded.response_time_p50_ms, response_time_p95_ms = excluded.response_time_p95_ms,
        response_time_p99_ms = excluded.response_time_p99_ms,
        dns_lookup_p50_ms = excluded.dns_lookup_p50_ms, dns_lookup_p95_ms = excluded.dns_lookup_p95_ms,
        dns_lookup_p99_ms = excluded.dns_lookup_p99_ms,
        tcp_connect_p50_ms = excluded.tcp_connect_p50_ms, tcp_connect_p95_ms = excluded.tcp_connect_p95_ms,
        tcp_connect_p99_ms = excluded.tcp_connect_p99_ms,
        tls_handshake_p50_ms = excluded.tls_handshake_p50_ms, tls_handshake_p95_ms = excluded.tls_handshake_p95_ms,
        tls_handshake_p99_ms = excluded.tls_handshake_p99_ms,
        time_to_first_byte_p50_ms = excluded.time_to_first_byte_p50_ms,
        time_to_first_byte_p95_ms = excluded.time_to_first_byte_p95_ms,
        time_to_first_byte_p99_ms = excluded.time_to_first_byte_p99_ms,
        server_processing_p50_ms = excluded.server_processing_p50_ms,
        server_processing_p95_ms = excluded.server_processing_p95_ms,
        server_processing_p99_ms = excluded.server_processing_p99_ms,
        content_transfer_p50_ms = excluded.content_transfer_p50_ms,
        content_transfer_p95_ms = excluded.content_transfer_p95_ms,
        content_transfer_p99_ms = excluded.content_transfer_p99_ms,
        rolled_at = excluded.rolled_at,
        maintenance_probes = excluded.maintenance_probes, maintenance_successes = excluded.maintenance_successes;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
COMMENT ON FUNCTION vantage_rollup_heartbeats(timestamptz, timestamptz) IS '(Re)computes api_heartbeat_rollups for the UTC hours in [from_hour, to_hour) from api_heartbeats (upsert), maintenance probes counted apart; returns the rows written.';

-- The views change columns: dropped and recreated with V4's columns first, in V4's order, and the new ones last.
-- probes and successes now count the probes outside maintenance, which is what uptime is computed from.
DROP VIEW api_uptime_daily;
CREATE VIEW api_uptime_daily AS
SELECT monitor_id,
       datacenter_id,
       (date_trunc('day', hour, 'UTC') AT TIME ZONE 'UTC')::date AS day,
       sum(probes - maintenance_probes)::bigint AS probes,
       sum(successes - maintenance_successes)::bigint AS successes,
       round(100 * sum(successes - maintenance_successes)::numeric / nullif(sum(probes - maintenance_probes), 0), 4)
           AS uptime_pct,
       sum(maintenance_probes)::bigint AS maintenance_probes
FROM api_heartbeat_rollups
GROUP BY 1, 2, 3;
COMMENT ON VIEW api_uptime_daily IS 'Uptime per monitor, datacenter and UTC day, from api_heartbeat_rollups (so kept for years), leaving out probes made during a maintenance window. Filter on day: e.g. WHERE day >= current_date - 30.';
COMMENT ON COLUMN api_uptime_daily.monitor_id IS 'Monitor (api_monitors.id).';
COMMENT ON COLUMN api_uptime_daily.datacenter_id IS 'Datacenter the probes ran from.';
COMMENT ON COLUMN api_uptime_daily.day IS 'UTC day.';
COMMENT ON COLUMN api_uptime_daily.probes IS 'Heartbeats of the day outside maintenance windows.';
COMMENT ON COLUMN api_uptime_daily.successes IS 'Successful heartbeats of the day outside maintenance windows.';
COMMENT ON COLUMN api_uptime_daily.uptime_pct IS '100 * successes / probes, rounded to 4 decimals; NULL when every probe of the day was in maintenance.';
COMMENT ON COLUMN api_uptime_daily.maintenance_probes IS 'Heartbeats of the day made during a maintenance window, left out of probes, successes and uptime_pct.';

-- Per hour first, across datacenters: an hour is down for the share of its probes outside maintenance that failed, and
-- in maintenance for the share of all its probes that were, so both weigh every observed hour alike.
DROP VIEW api_sla_monthly;
CREATE VIEW api_sla_monthly AS
WITH hourly AS (
    SELECT monitor_id, hour, sum(probes) AS all_probes, sum(probes - maintenance_probes) AS probes,
           sum(successes - maintenance_successes) AS successes, sum(maintenance_probes) AS maintenance_probes
    FROM api_heartbeat_rollups
    GROUP BY 1, 2
), monthly AS (
    SELECT monitor_id,
           (date_trunc('month', hour, 'UTC') AT TIME ZONE 'UTC')::date AS month,
           sum(probes)::bigint AS probes,
           sum(successes)::bigint AS successes,
           count(*) FILTER (WHERE probes > 0)::integer AS hours_observed,
           coalesce(sum(60 * (probes - successes)::numeric / nullif(probes, 0)
                        * (probes::numeric / all_probes)), 0) AS minutes_down,
           sum(maintenance_probes)::bigint AS maintenance_probes,
           sum(60 * maintenance_probes::numeric / all_probes) AS maintenance_minutes
    FROM hourly
    GROUP BY 1, 2
), per_datacenter AS (
    SELECT monitor_id,
           (date_trunc('month', hour, 'UTC') AT TIME ZONE 'UTC')::date AS month,
           datacenter_id,
           sum(successes - maintenance_successes)::numeric / nullif(sum(probes - maintenance_probes), 0) AS ratio
    FROM api_heartbeat_rollups
    GROUP BY 1, 2, 3
), datacenters AS (
    SELECT monitor_id, month, count(*)::integer AS datacenters, min(ratio) AS worst
    FROM per_datacenter
    GROUP BY 1, 2
)
SELECT m.monitor_id,
       m.month,
       m.probes,
       m.successes,
       round(100 * m.successes::numeric / nullif(m.probes, 0), 4) AS uptime_pct,
       m.hours_observed,
       round(m.minutes_down, 1) AS minutes_down,
       d.datacenters,
       round(100 * d.worst, 4) AS worst_datacenter_uptime_pct,
       m.maintenance_probes,
       round(m.maintenance_minutes, 1) AS maintenance_minutes
FROM monthly m
JOIN datacenters d USING (monitor_id, month);
COMMENT ON VIEW api_sla_monthly IS 'Monthly SLA report per monitor across its datacenters, from api_heartbeat_rollups (UTC months), leaving out probes made during a maintenance window. Counts every probe of every datacenter alike; hours without any heartbeat (nothing probed) are not counted as down.';
COMMENT ON COLUMN api_sla_monthly.monitor_id IS 'Monitor (api_monitors.id).';
COMMENT ON COLUMN api_sla_monthly.month IS 'First day of the UTC month.';
COMMENT ON COLUMN api_sla_monthly.probes IS 'Heartbeats of the month outside maintenance windows, all datacenters.';
COMMENT ON COLUMN api_sla_monthly.successes IS 'Successful heartbeats of the month outside maintenance windows, all datacenters.';
COMMENT ON COLUMN api_sla_monthly.uptime_pct IS '100 * successes / probes over the month, rounded to 4 decimals; NULL when every probe was in maintenance.';
COMMENT ON COLUMN api_sla_monthly.hours_observed IS 'UTC hours of the month with at least one heartbeat outside maintenance.';
COMMENT ON COLUMN api_sla_monthly.minutes_down IS 'Estimated minutes down: over every observed hour, 60 * failed probes / probes of that hour (all datacenters, probes in maintenance counted as neither up nor down), summed; rounded to 0.1.';
COMMENT ON COLUMN api_sla_monthly.datacenters IS 'Datacenters with heartbeats for the monitor that month.';
COMMENT ON COLUMN api_sla_monthly.worst_datacenter_uptime_pct IS 'Uptime % of the monitor''s worst datacenter that month (outside maintenance), rounded to 4 decimals.';
COMMENT ON COLUMN api_sla_monthly.maintenance_probes IS 'Heartbeats of the month made during a maintenance window, left out of probes, successes and the percentages.';
COMMENT ON COLUMN api_sla_monthly.maintenance_minutes IS 'Estimated minutes in maintenance: over every hour, 60 * maintenance probes / probes of that hour, summed; rounded to 0.1.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: V14's function, then what this version adds
-- ---------------------------------------------------------------------------------------------------------------

ALTER FUNCTION vantage_grant_roles() RENAME TO vantage_grant_roles_v14;
COMMENT ON FUNCTION vantage_grant_roles_v14() IS 'The grants of schema 14; vantage_grant_roles() runs it first.';

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    granted text[];
BEGIN
    granted := vantage_grant_roles_v14();
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        -- MonitorConfigs reads the windows; MaintenanceCommand (run with the monitor's login) writes them.
        GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_windows TO vantage_monitor;
        GRANT USAGE ON SEQUENCE maintenance_windows_id_seq TO vantage_monitor;
        -- MaintenanceMarks: marks the heartbeats it evaluated inside a window, that column only.
        GRANT UPDATE (in_maintenance) ON api_heartbeats TO vantage_monitor;
        -- The views were recreated: grants on them do not survive a DROP.
        GRANT SELECT ON api_uptime_daily, api_sla_monthly TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        GRANT SELECT ON maintenance_windows, api_uptime_daily, api_sla_monthly TO vantage_reader;
    END IF;
    RETURN granted;
END
$$;
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles_v14() FROM PUBLIC;

SELECT vantage_grant_roles();
