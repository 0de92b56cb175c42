-- Vantage schema, version 9: rollups count what changes a state.
--
-- A pushed start or log beat (api_heartbeats.beat_kind 'start' or 'log') says a run began or carries a message; it
-- is neither a success nor a failure of the job, and the evaluator ignores it. The hourly rollups counted it as a
-- successful probe, which raised a push monitor's uptime by every start and log beat. The function is the one of V4
-- with that filter added; CREATE OR REPLACE keeps its owner, SECURITY DEFINER and grants. Hours already rolled up are
-- corrected when the lifecycle rolls them again (the last hours at every run, a whole day before it is dropped).

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
