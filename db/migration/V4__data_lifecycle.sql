-- Data lifecycle: hourly rollups of api_heartbeats kept for years, daily uptime and monthly SLA views over them, and
-- the functions with which the monitor lease holder rolls up and drops the raw daily partitions past the retention.
--
-- No DEFAULT partition on api_heartbeats, on purpose. A row for a day without a partition fails its insert (23514),
-- and the writer then creates that day's partition and retries (HeartbeatInserter), so no insert is ever lost for lack
-- of a partition. A DEFAULT partition would swallow such rows instead, and then block the creation of that day's
-- partition for good: PostgreSQL refuses a new partition whose range has rows in the DEFAULT partition, so every later
-- row of that day would pile into the DEFAULT partition, which retention could never drop by day.
--
-- Hours, days and months are UTC throughout, as the partitions are.

-- ---------------------------------------------------------------------------------------------------------------
-- Rollups
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE api_heartbeat_rollups (
    monitor_id                  integer NOT NULL,
    datacenter_id               integer NOT NULL,
    hour                        timestamptz NOT NULL,
    probes                      integer NOT NULL CHECK (probes > 0),
    successes                   integer NOT NULL CHECK (successes BETWEEN 0 AND probes),
    errors                      jsonb NOT NULL DEFAULT '{}'::jsonb,
    response_time_p50_ms        double precision,
    response_time_p95_ms        double precision,
    response_time_p99_ms        double precision,
    dns_lookup_p50_ms           double precision,
    dns_lookup_p95_ms           double precision,
    dns_lookup_p99_ms           double precision,
    tcp_connect_p50_ms          double precision,
    tcp_connect_p95_ms          double precision,
    tcp_connect_p99_ms          double precision,
    tls_handshake_p50_ms        double precision,
    tls_handshake_p95_ms        double precision,
    tls_handshake_p99_ms        double precision,
    time_to_first_byte_p50_ms   double precision,
    time_to_first_byte_p95_ms   double precision,
    time_to_first_byte_p99_ms   double precision,
    server_processing_p50_ms    double precision,
    server_processing_p95_ms    double precision,
    server_processing_p99_ms    double precision,
    content_transfer_p50_ms     double precision,
    content_transfer_p95_ms     double precision,
    content_transfer_p99_ms     double precision,
    rolled_at                   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (monitor_id, datacenter_id, hour)
);
-- The rollup loop finds where it left off with max(hour); dashboards and the views filter on time.
CREATE INDEX api_heartbeat_rollups_hour_idx ON api_heartbeat_rollups (hour);
COMMENT ON TABLE api_heartbeat_rollups IS 'Hourly summary of api_heartbeats per (monitor, datacenter, UTC hour), written by the monitor lease holder every 5 min for the last 6 hours (later rows only when their day is dropped) and kept for years: retention never deletes it. Percentiles are percentile_cont (linear interpolation) over the successful probes of the hour that have the value (NULL phases are skipped); NULL when there is none.';
COMMENT ON COLUMN api_heartbeat_rollups.monitor_id IS 'Monitor (api_monitors.id; rows stay when the monitor is deleted).';
COMMENT ON COLUMN api_heartbeat_rollups.datacenter_id IS 'Datacenter the probes ran from.';
COMMENT ON COLUMN api_heartbeat_rollups.hour IS 'Start of the UTC hour, by api_heartbeats.scheduled_at: the hour covers slots in [hour, hour + 1 h).';
COMMENT ON COLUMN api_heartbeat_rollups.probes IS 'Heartbeats of the hour.';
COMMENT ON COLUMN api_heartbeat_rollups.successes IS 'Heartbeats of the hour with success true.';
COMMENT ON COLUMN api_heartbeat_rollups.errors IS 'Failed heartbeats of the hour by error_type, e.g. {"TIMEOUT": 3, "CONNECT": 1}; {} when none failed. A failure without an error_type counts as UNKNOWN.';
COMMENT ON COLUMN api_heartbeat_rollups.response_time_p50_ms IS 'Median of response_time_ms over the successful probes (percentile_cont).';
COMMENT ON COLUMN api_heartbeat_rollups.response_time_p95_ms IS '95th percentile of response_time_ms over the successful probes (percentile_cont).';
COMMENT ON COLUMN api_heartbeat_rollups.response_time_p99_ms IS '99th percentile of response_time_ms over the successful probes (percentile_cont).';
COMMENT ON COLUMN api_heartbeat_rollups.dns_lookup_p50_ms IS 'Median of dns_lookup_ms over the successful probes that resolved a name.';
COMMENT ON COLUMN api_heartbeat_rollups.dns_lookup_p95_ms IS '95th percentile of dns_lookup_ms over the successful probes that resolved a name.';
COMMENT ON COLUMN api_heartbeat_rollups.dns_lookup_p99_ms IS '99th percentile of dns_lookup_ms over the successful probes that resolved a name.';
COMMENT ON COLUMN api_heartbeat_rollups.tcp_connect_p50_ms IS 'Median of tcp_connect_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.tcp_connect_p95_ms IS '95th percentile of tcp_connect_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.tcp_connect_p99_ms IS '99th percentile of tcp_connect_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.tls_handshake_p50_ms IS 'Median of tls_handshake_ms over the successful probes that did a TLS handshake.';
COMMENT ON COLUMN api_heartbeat_rollups.tls_handshake_p95_ms IS '95th percentile of tls_handshake_ms over the successful probes that did a TLS handshake.';
COMMENT ON COLUMN api_heartbeat_rollups.tls_handshake_p99_ms IS '99th percentile of tls_handshake_ms over the successful probes that did a TLS handshake.';
COMMENT ON COLUMN api_heartbeat_rollups.time_to_first_byte_p50_ms IS 'Median of time_to_first_byte_ms (cumulative from the probe start) over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.time_to_first_byte_p95_ms IS '95th percentile of time_to_first_byte_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.time_to_first_byte_p99_ms IS '99th percentile of time_to_first_byte_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.server_processing_p50_ms IS 'Median of server_processing_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.server_processing_p95_ms IS '95th percentile of server_processing_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.server_processing_p99_ms IS '99th percentile of server_processing_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.content_transfer_p50_ms IS 'Median of content_transfer_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.content_transfer_p95_ms IS '95th percentile of content_transfer_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.content_transfer_p99_ms IS '99th percentile of content_transfer_ms over the successful probes.';
COMMENT ON COLUMN api_heartbeat_rollups.rolled_at IS 'When the row was last (re)computed.';

-- (Re)computes the rollups of every hour that starts in [from_hour, to_hour) from the raw rows, replacing what was
-- there: idempotent, and a late row is picked up by the next run that covers its hour. An hour whose raw rows are gone
-- (dropped partition) is left as it was. SECURITY DEFINER so that the monitor's role needs EXECUTE only.
CREATE FUNCTION vantage_rollup_heartbeats(from_hour timestamptz, to_hour timestamptz) RETURNS integer
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
    ), errors AS (
        SELECT monitor_id, datacenter_id, hour, jsonb_object_agg(error_type, n) AS errors
        FROM (SELECT monitor_id, datacenter_id, hour, coalesce(error_type, 'UNKNOWN') AS error_type, count(*) AS n
              FROM raw WHERE NOT success GROUP BY 1, 2, 3, 4) e
        GROUP BY 1, 2, 3
    ), hours AS (
        SELECT monitor_id, datacenter_id, hour,
               count(*) AS probes,
               count(*) FILTER (WHERE success) AS successes,
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
        rolled_at)
    SELECT h.monitor_id, h.datacenter_id, h.hour, h.probes, h.successes, coalesce(e.errors, '{}'::jsonb),
           h.rt[1], h.rt[2], h.rt[3],
           h.dns[1], h.dns[2], h.dns[3],
           h.tcp[1], h.tcp[2], h.tcp[3],
           h.tls[1], h.tls[2], h.tls[3],
           h.ttfb[1], h.ttfb[2], h.ttfb[3],
           h.sp[1], h.sp[2], h.sp[3],
           h.ct[1], h.ct[2], h.ct[3],
           now()
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
        rolled_at = excluded.rolled_at;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
COMMENT ON FUNCTION vantage_rollup_heartbeats(timestamptz, timestamptz) IS '(Re)computes api_heartbeat_rollups for the UTC hours in [from_hour, to_hour) from api_heartbeats (upsert); returns the rows written.';

-- ---------------------------------------------------------------------------------------------------------------
-- Partitions
-- ---------------------------------------------------------------------------------------------------------------

-- The bounds come from the catalog (pg_get_expr prints them as timestamptz literals with their offset), not from the
-- names, so a partition a user attached by hand with another name is still listed with its true range.
CREATE FUNCTION vantage_heartbeat_partitions()
    RETURNS TABLE (partition_name text, range_from timestamptz, range_to timestamptz)
    LANGUAGE sql STABLE SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT c.relname::text, b[1]::timestamptz, b[2]::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') AS b
    WHERE i.inhparent = 'api_heartbeats'::regclass
    ORDER BY 2
$$;
COMMENT ON FUNCTION vantage_heartbeat_partitions() IS 'The range partitions of api_heartbeats with their bounds [range_from, range_to), oldest first (a DEFAULT or MINVALUE/MAXVALUE partition is not listed).';

-- Drops the partitions that end at or before the cutoff, after rolling up their hours in the same transaction: the
-- partition is locked first, so no row can reach it between its rollup and its drop. The cutoff is measured from the
-- earlier of the caller's clock and the database's, so a caller whose clock runs ahead can never drop today's or a
-- future partition (keep_days >= 1 keeps at least yesterday and today). lock_timeout bounds the wait behind a long
-- query on api_heartbeats: the drop then fails, and the next run tries again, instead of queueing every insert behind
-- it. DROP also takes api_heartbeats itself ACCESS EXCLUSIVE, briefly; a writer inserting into the very partition being
-- dropped at that moment (a row over keep_days late) can deadlock with it, and PostgreSQL then aborts one of the two,
-- which both retry. Only the monitor module's role may call it (EXECUTE is revoked from PUBLIC below).
CREATE FUNCTION vantage_drop_heartbeat_partitions(keep_days integer, at timestamptz DEFAULT now())
    RETURNS TABLE (partition_name text, range_from timestamptz, range_to timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp SET lock_timeout = '5s' AS $$
DECLARE
    cutoff timestamptz;
    p      record;
BEGIN
    IF keep_days IS NULL OR keep_days < 1 OR keep_days > 36500 THEN
        RAISE EXCEPTION 'vantage_drop_heartbeat_partitions: keep_days must be between 1 and 36500, was %', keep_days;
    END IF;
    cutoff := least(coalesce(at, now()), now()) - make_interval(days => keep_days);
    FOR p IN SELECT * FROM vantage_heartbeat_partitions() l WHERE l.range_to <= cutoff LOOP
        EXECUTE format('LOCK TABLE %I.%I IN ACCESS EXCLUSIVE MODE', current_schema(), p.partition_name);
        PERFORM vantage_rollup_heartbeats(p.range_from, p.range_to);
        EXECUTE format('DROP TABLE %I.%I', current_schema(), p.partition_name);
        partition_name := p.partition_name;
        range_from := p.range_from;
        range_to := p.range_to;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION vantage_drop_heartbeat_partitions(integer, timestamptz) IS 'Rolls up, then drops, the partitions of api_heartbeats that end at or before least(at, now()) - keep_days days; returns those dropped. Rollups are kept.';

REVOKE EXECUTE ON FUNCTION vantage_drop_heartbeat_partitions(integer, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_rollup_heartbeats(timestamptz, timestamptz) FROM PUBLIC;

COMMENT ON TABLE api_heartbeats IS 'One row per probe: at most one per (monitor_id, datacenter_id, scheduled_at). Daily range partitions on scheduled_at (UTC), created 7 days ahead by the agents and the monitor lease holder, rolled up into api_heartbeat_rollups and dropped past the retention (vantage monitor --retention-days, 30 by default). Durations are fractional milliseconds (microsecond resolution); a phase that did not happen is NULL, never 0.';

-- ---------------------------------------------------------------------------------------------------------------
-- Views
-- ---------------------------------------------------------------------------------------------------------------

CREATE VIEW api_uptime_daily AS
SELECT monitor_id,
       datacenter_id,
       (date_trunc('day', hour, 'UTC') AT TIME ZONE 'UTC')::date AS day,
       sum(probes)::bigint AS probes,
       sum(successes)::bigint AS successes,
       round(100 * sum(successes)::numeric / sum(probes), 4) AS uptime_pct
FROM api_heartbeat_rollups
GROUP BY 1, 2, 3;
COMMENT ON VIEW api_uptime_daily IS 'Uptime per monitor, datacenter and UTC day, from api_heartbeat_rollups (so kept for years). Filter on day: e.g. WHERE day >= current_date - 30.';
COMMENT ON COLUMN api_uptime_daily.monitor_id IS 'Monitor (api_monitors.id).';
COMMENT ON COLUMN api_uptime_daily.datacenter_id IS 'Datacenter the probes ran from.';
COMMENT ON COLUMN api_uptime_daily.day IS 'UTC day.';
COMMENT ON COLUMN api_uptime_daily.probes IS 'Heartbeats of the day.';
COMMENT ON COLUMN api_uptime_daily.successes IS 'Successful heartbeats of the day.';
COMMENT ON COLUMN api_uptime_daily.uptime_pct IS '100 * successes / probes, rounded to 4 decimals.';

-- Per hour first, across datacenters: an hour is down for the share of its probes that failed, so minutes_down weighs
-- every observed hour alike, whatever the number of datacenters or probes in it.
CREATE VIEW api_sla_monthly AS
WITH hourly AS (
    SELECT monitor_id, hour, sum(probes) AS probes, sum(successes) AS successes
    FROM api_heartbeat_rollups
    GROUP BY 1, 2
), monthly AS (
    SELECT monitor_id,
           (date_trunc('month', hour, 'UTC') AT TIME ZONE 'UTC')::date AS month,
           sum(probes)::bigint AS probes,
           sum(successes)::bigint AS successes,
           count(*)::integer AS hours_observed,
           sum(60 * (probes - successes)::numeric / probes) AS minutes_down
    FROM hourly
    GROUP BY 1, 2
), per_datacenter AS (
    SELECT monitor_id,
           (date_trunc('month', hour, 'UTC') AT TIME ZONE 'UTC')::date AS month,
           datacenter_id,
           sum(successes)::numeric / sum(probes) AS ratio
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
       round(100 * m.successes::numeric / m.probes, 4) AS uptime_pct,
       m.hours_observed,
       round(m.minutes_down, 1) AS minutes_down,
       d.datacenters,
       round(100 * d.worst, 4) AS worst_datacenter_uptime_pct
FROM monthly m
JOIN datacenters d USING (monitor_id, month);
COMMENT ON VIEW api_sla_monthly IS 'Monthly SLA report per monitor across its datacenters, from api_heartbeat_rollups (UTC months). Counts every probe of every datacenter alike; hours without any heartbeat (nothing probed) are not counted as down.';
COMMENT ON COLUMN api_sla_monthly.monitor_id IS 'Monitor (api_monitors.id).';
COMMENT ON COLUMN api_sla_monthly.month IS 'First day of the UTC month.';
COMMENT ON COLUMN api_sla_monthly.probes IS 'Heartbeats of the month, all datacenters.';
COMMENT ON COLUMN api_sla_monthly.successes IS 'Successful heartbeats of the month, all datacenters.';
COMMENT ON COLUMN api_sla_monthly.uptime_pct IS '100 * successes / probes over the month, rounded to 4 decimals.';
COMMENT ON COLUMN api_sla_monthly.hours_observed IS 'UTC hours of the month with at least one heartbeat.';
COMMENT ON COLUMN api_sla_monthly.minutes_down IS 'Estimated minutes down: over every observed hour, 60 * failed probes / probes of that hour (all datacenters), summed; rounded to 0.1.';
COMMENT ON COLUMN api_sla_monthly.datacenters IS 'Datacenters with heartbeats for the monitor that month.';
COMMENT ON COLUMN api_sla_monthly.worst_datacenter_uptime_pct IS 'Uptime % of the monitor''s worst datacenter that month, rounded to 4 decimals.';
