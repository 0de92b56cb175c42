-- Vantage core schema: configuration, agents and heartbeats.
-- Table and column names keep those of the Go agent Vantage replaces, so that existing SQL keeps working.
-- Every table and column carries a COMMENT: \d+ in psql is the reference.

-- ---------------------------------------------------------------------------------------------------------------
-- Configuration (edited by users with SQL)
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE regions (
    id          serial PRIMARY KEY,
    name        varchar(50) NOT NULL,
    region_code varchar(20) UNIQUE,
    group_name  varchar(20)
);
COMMENT ON TABLE regions IS 'Geographic regions that group datacenters (e.g. us-east-1 in group US).';
COMMENT ON COLUMN regions.id IS 'Region id.';
COMMENT ON COLUMN regions.name IS 'Human name of the region.';
COMMENT ON COLUMN regions.region_code IS 'Short unique code, e.g. us-east-1.';
COMMENT ON COLUMN regions.group_name IS 'Larger grouping for reports, e.g. US, Europe, Oceania.';

CREATE TABLE datacenters (
    id        serial PRIMARY KEY,
    code      varchar(10) NOT NULL UNIQUE,
    name      varchar(50),
    region_id integer REFERENCES regions (id) ON DELETE SET NULL
);
COMMENT ON TABLE datacenters IS 'Locations that run agents. DATACENTER_ID names one by id or code.';
COMMENT ON COLUMN datacenters.id IS 'Datacenter id (DATACENTER_ID may give this number).';
COMMENT ON COLUMN datacenters.code IS 'Short unique code, e.g. VA (DATACENTER_ID may give this code, case-insensitively).';
COMMENT ON COLUMN datacenters.name IS 'Human name of the datacenter.';
COMMENT ON COLUMN datacenters.region_id IS 'Region the datacenter belongs to.';

CREATE TABLE schedules (
    id                    serial PRIMARY KEY,
    name                  varchar(50) NOT NULL,
    interval              integer NOT NULL CHECK (interval BETWEEN 1 AND 86400),
    include_response_body boolean NOT NULL DEFAULT false,
    thresholds_warning    integer CHECK (thresholds_warning > 0),
    thresholds_critical   integer CHECK (thresholds_critical > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schedules IS 'How often monitors run and their latency thresholds; many monitors share one schedule.';
COMMENT ON COLUMN schedules.id IS 'Schedule id.';
COMMENT ON COLUMN schedules.name IS 'Human name, e.g. every minute.';
COMMENT ON COLUMN schedules.interval IS 'Seconds between two probes of a monitor (1 to 86400).';
COMMENT ON COLUMN schedules.include_response_body IS 'Store the response body (as text, up to settings.max_body_bytes) in api_heartbeats.raw_response_body.';
COMMENT ON COLUMN schedules.thresholds_warning IS 'Response time in ms above which a probe is slow (warning); copied to each heartbeat.';
COMMENT ON COLUMN schedules.thresholds_critical IS 'Response time in ms above which a probe is critically slow; copied to each heartbeat.';
COMMENT ON COLUMN schedules.created_at IS 'When the row was created.';
COMMENT ON COLUMN schedules.updated_at IS 'When the row was last changed (maintained by a trigger).';

CREATE TABLE api_monitors (
    id          serial PRIMARY KEY,
    name        varchar(100) NOT NULL,
    method      varchar(10) NOT NULL DEFAULT 'GET',
    type        varchar(10) NOT NULL DEFAULT 'http',
    url         text,
    schedule_id integer NOT NULL REFERENCES schedules (id),
    headers     jsonb,
    body        text,
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    enabled     boolean NOT NULL DEFAULT true,
    timeout_ms  integer CHECK (timeout_ms > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE api_monitors IS 'What to probe. A row that fails validation is reported by the agent (log and status) and still yields heartbeats with error_type INVALID_CONFIG.';
COMMENT ON COLUMN api_monitors.id IS 'Monitor id.';
COMMENT ON COLUMN api_monitors.name IS 'Human name of the monitor.';
COMMENT ON COLUMN api_monitors.method IS 'HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.';
COMMENT ON COLUMN api_monitors.type IS 'Monitor type: http (also accepts the old HTTP and HTTPS) or tcp. Case-insensitive.';
COMMENT ON COLUMN api_monitors.url IS 'Target: http(s)://host[:port]/path for http, tcp://host:port for tcp.';
COMMENT ON COLUMN api_monitors.schedule_id IS 'Schedule that sets the interval and thresholds.';
COMMENT ON COLUMN api_monitors.headers IS 'Request headers as a JSON object of strings, e.g. {"Authorization": "Bearer ..."}. Values are secrets: never logged.';
COMMENT ON COLUMN api_monitors.body IS 'Request body as text (JSON or anything else).';
COMMENT ON COLUMN api_monitors.settings IS 'Options of the monitor type as a JSON object, validated by the type (see README, Monitor settings).';
COMMENT ON COLUMN api_monitors.enabled IS 'false pauses the monitor everywhere without deleting it.';
COMMENT ON COLUMN api_monitors.timeout_ms IS 'Whole-probe timeout in ms; NULL means the smaller of the interval and 30 s.';
COMMENT ON COLUMN api_monitors.created_at IS 'When the row was created.';
COMMENT ON COLUMN api_monitors.updated_at IS 'When the row was last changed (maintained by a trigger).';

CREATE TABLE datacenter_monitors (
    datacenter_id integer NOT NULL REFERENCES datacenters (id) ON DELETE CASCADE,
    monitor_id    integer NOT NULL REFERENCES api_monitors (id) ON DELETE CASCADE,
    PRIMARY KEY (datacenter_id, monitor_id)
);
CREATE INDEX datacenter_monitors_monitor_idx ON datacenter_monitors (monitor_id);
COMMENT ON TABLE datacenter_monitors IS 'Which datacenters run which monitors.';
COMMENT ON COLUMN datacenter_monitors.datacenter_id IS 'Datacenter that runs the monitor.';
COMMENT ON COLUMN datacenter_monitors.monitor_id IS 'Monitor run in that datacenter.';

-- updated_at maintenance
CREATE FUNCTION vantage_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION vantage_touch_updated_at() IS 'Sets updated_at on every update of a configuration row.';
CREATE TRIGGER schedules_touch BEFORE UPDATE ON schedules FOR EACH ROW EXECUTE FUNCTION vantage_touch_updated_at();
CREATE TRIGGER api_monitors_touch BEFORE UPDATE ON api_monitors FOR EACH ROW EXECUTE FUNCTION vantage_touch_updated_at();

-- Any change of configuration wakes the agents (LISTEN vantage_config); they reload the whole snapshot.
CREATE FUNCTION vantage_notify_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vantage_config', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION vantage_notify_config() IS 'NOTIFY vantage_config with the table name after any change of configuration.';
CREATE TRIGGER regions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();
CREATE TRIGGER datacenters_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON datacenters
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();
CREATE TRIGGER schedules_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schedules
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();
CREATE TRIGGER api_monitors_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_monitors
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();
CREATE TRIGGER datacenter_monitors_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON datacenter_monitors
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();

-- ---------------------------------------------------------------------------------------------------------------
-- Runtime
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE agents (
    id            serial PRIMARY KEY,
    name          varchar(100) NOT NULL,
    datacenter_id integer NOT NULL REFERENCES datacenters (id) ON DELETE CASCADE,
    hostname      text,
    pid           bigint,
    version       text,
    role          text NOT NULL DEFAULT 'starting' CHECK (role IN ('starting', 'leader', 'standby', 'stopped')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);
CREATE INDEX agents_datacenter_idx ON agents (datacenter_id, last_seen_at DESC);
COMMENT ON TABLE agents IS 'Every agent process registers itself at start and refreshes last_seen_at every 5 s.';
COMMENT ON COLUMN agents.id IS 'Agent id, stamped on its heartbeats (api_heartbeats.agent_id).';
COMMENT ON COLUMN agents.name IS 'Agent name: VANTAGE_AGENT_NAME, or hostname-pid by default.';
COMMENT ON COLUMN agents.datacenter_id IS 'Datacenter the agent runs for.';
COMMENT ON COLUMN agents.hostname IS 'Host (container) name of the process.';
COMMENT ON COLUMN agents.pid IS 'Operating-system process id.';
COMMENT ON COLUMN agents.version IS 'Vantage version of the process.';
COMMENT ON COLUMN agents.role IS 'starting, leader (probing), standby (waiting for the datacenter lease) or stopped.';
COMMENT ON COLUMN agents.started_at IS 'When the process started.';
COMMENT ON COLUMN agents.last_seen_at IS 'Last liveness refresh (every 5 s while running).';
COMMENT ON COLUMN agents.stopped_at IS 'When the process stopped gracefully; NULL while running or after a crash.';

-- ---------------------------------------------------------------------------------------------------------------
-- Results
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE api_heartbeats (
    id                      bigserial,
    monitor_id              integer NOT NULL,
    datacenter_id           integer NOT NULL,
    agent_id                integer,
    lease_epoch             bigint,
    scheduled_at            timestamptz NOT NULL,
    executed_at             timestamptz NOT NULL,
    success                 boolean NOT NULL,
    response_time_ms        double precision,
    response_size_bytes     bigint,
    response_status_code    integer,
    response_content_type   text,
    response_server         text,
    response_cache_status   text,
    dns_lookup_ms           double precision,
    tcp_connect_ms          double precision,
    tls_handshake_ms        double precision,
    time_to_first_byte_ms   double precision,
    server_processing_ms    double precision,
    content_transfer_ms     double precision,
    redirect_ms             double precision,
    redirect_count          integer,
    remote_address          text,
    warning_threshold_ms    integer,
    critical_threshold_ms   integer,
    error_type              text,
    error_message           text,
    raw_request_headers     jsonb,
    raw_response_headers    jsonb,
    raw_response_body       text,
    inserted_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, scheduled_at),
    UNIQUE (monitor_id, datacenter_id, scheduled_at)
) PARTITION BY RANGE (scheduled_at);
CREATE INDEX api_heartbeats_monitor_time_idx ON api_heartbeats (monitor_id, executed_at DESC);
COMMENT ON TABLE api_heartbeats IS 'One row per probe: at most one per (monitor_id, datacenter_id, scheduled_at). Daily range partitions on scheduled_at, created ahead by the agents. Durations are fractional milliseconds (microsecond resolution); a phase that did not happen is NULL, never 0.';
COMMENT ON COLUMN api_heartbeats.id IS 'Row id (increasing, but rows commit out of order: do not use it as a cursor).';
COMMENT ON COLUMN api_heartbeats.monitor_id IS 'Monitor probed (api_monitors.id; rows stay when the monitor is deleted).';
COMMENT ON COLUMN api_heartbeats.datacenter_id IS 'Datacenter the probe ran from.';
COMMENT ON COLUMN api_heartbeats.agent_id IS 'Agent process that ran the probe (agents.id).';
COMMENT ON COLUMN api_heartbeats.lease_epoch IS 'Epoch of the datacenter lease the agent held (fencing token); NULL before leases are in use.';
COMMENT ON COLUMN api_heartbeats.scheduled_at IS 'The slot on the monitor''s schedule grid that this probe fills.';
COMMENT ON COLUMN api_heartbeats.executed_at IS 'When the probe really started.';
COMMENT ON COLUMN api_heartbeats.success IS 'true when every check passed (connection, TLS, status, body).';
COMMENT ON COLUMN api_heartbeats.response_time_ms IS 'Total probe time in ms, from start until the last body byte read (includes redirects).';
COMMENT ON COLUMN api_heartbeats.response_size_bytes IS 'Body bytes read (at most settings.max_body_bytes).';
COMMENT ON COLUMN api_heartbeats.response_status_code IS 'HTTP status code of the final response; NULL when none arrived.';
COMMENT ON COLUMN api_heartbeats.response_content_type IS 'Content-Type header of the response.';
COMMENT ON COLUMN api_heartbeats.response_server IS 'Server header of the response.';
COMMENT ON COLUMN api_heartbeats.response_cache_status IS 'Cache status header of the response (Cache-Status, X-Cache or CF-Cache-Status).';
COMMENT ON COLUMN api_heartbeats.dns_lookup_ms IS 'Phase: name resolution in ms; NULL for an IP literal or when not reached.';
COMMENT ON COLUMN api_heartbeats.tcp_connect_ms IS 'Phase: TCP connect in ms; NULL when not reached.';
COMMENT ON COLUMN api_heartbeats.tls_handshake_ms IS 'Phase: TLS handshake in ms; NULL for plain HTTP or when not reached.';
COMMENT ON COLUMN api_heartbeats.time_to_first_byte_ms IS 'Cumulative: probe start until the first response byte, like curl time_starttransfer (not a phase).';
COMMENT ON COLUMN api_heartbeats.server_processing_ms IS 'Phase: request fully written until the first response byte.';
COMMENT ON COLUMN api_heartbeats.content_transfer_ms IS 'Phase: first response byte until the last body byte read.';
COMMENT ON COLUMN api_heartbeats.redirect_ms IS 'Time spent on redirect hops before the final request; NULL without redirects.';
COMMENT ON COLUMN api_heartbeats.redirect_count IS 'Redirect hops followed.';
COMMENT ON COLUMN api_heartbeats.remote_address IS 'IP address and port actually connected to.';
COMMENT ON COLUMN api_heartbeats.warning_threshold_ms IS 'schedules.thresholds_warning at the time of the probe.';
COMMENT ON COLUMN api_heartbeats.critical_threshold_ms IS 'schedules.thresholds_critical at the time of the probe.';
COMMENT ON COLUMN api_heartbeats.error_type IS 'Why the probe failed: DNS, CONNECT, TLS, TIMEOUT, HTTP_STATUS, BODY, PROTOCOL, INVALID_CONFIG or INTERNAL; NULL on success.';
COMMENT ON COLUMN api_heartbeats.error_message IS 'Human description of the failure, naming the failed check; NULL on success.';
COMMENT ON COLUMN api_heartbeats.raw_request_headers IS 'Names of the request headers sent; values are replaced by "<redacted>" because they may be secrets.';
COMMENT ON COLUMN api_heartbeats.raw_response_headers IS 'Response headers as a JSON object.';
COMMENT ON COLUMN api_heartbeats.raw_response_body IS 'Response body as text, only when schedules.include_response_body is true.';
COMMENT ON COLUMN api_heartbeats.inserted_at IS 'When the row was written (later than executed_at after a database outage).';

-- Creates the daily partitions of api_heartbeats covering [from_day, from_day + days). Idempotent. SECURITY DEFINER so
-- that an agent role without DDL rights can still make sure tomorrow's partition exists.
CREATE FUNCTION vantage_ensure_heartbeat_partitions(from_day date, days integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    schema_name text := current_schema();
    created     integer := 0;
    d           date;
    part        text;
BEGIN
    IF days < 1 OR days > 366 THEN
        RAISE EXCEPTION 'days must be between 1 and 366, was %', days;
    END IF;
    FOR i IN 0 .. days - 1 LOOP
        d := from_day + i;
        part := 'api_heartbeats_' || to_char(d, 'YYYYMMDD');
        IF to_regclass(quote_ident(schema_name) || '.' || quote_ident(part)) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.api_heartbeats FOR VALUES FROM (%L) TO (%L)',
                               schema_name, part, schema_name,
                               (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
                created := created + 1;
            EXCEPTION WHEN duplicate_table THEN
                NULL; -- another agent created it at the same moment
            END;
        END IF;
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION vantage_ensure_heartbeat_partitions(date, integer) IS 'Creates missing daily partitions of api_heartbeats (UTC days) from from_day for days days; returns how many it created.';

SELECT vantage_ensure_heartbeat_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);
