-- The monitor module: heartbeats turned into state, incidents and notifications.
--
-- vantage monitor reads api_heartbeats with a cursor on commit_xid (the writing transaction's id), never on id:
-- ids are taken when a row is inserted, so a row with a smaller id can commit after one with a larger id and a
-- cursor on id would skip it. Rows whose commit_xid is below the xmin of a fresh snapshot belong to transactions that
-- have all ended, so none can still appear below that watermark. Everything the monitor derives from a batch
-- (states, incidents, the outbox, the cursor) commits in one transaction, fenced by its own lease epoch.
--
-- Advisory lock keys: (1447120468, datacenter_id) for a datacenter, (1447120468, 0) for the monitor module;
-- 1447120468 is 0x56414E54, 'VANT' in ASCII. (V2's header comment gives 1447121492, which is wrong.)

-- ---------------------------------------------------------------------------------------------------------------
-- Heartbeats: the commit cursor
-- ---------------------------------------------------------------------------------------------------------------

-- Nullable and without a rewrite: rows written before this version keep NULL, which the cursor never reads.
ALTER TABLE api_heartbeats ADD COLUMN commit_xid xid8;
ALTER TABLE api_heartbeats ALTER COLUMN commit_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX api_heartbeats_commit_idx ON api_heartbeats (commit_xid, id);
COMMENT ON COLUMN api_heartbeats.commit_xid IS 'Id of the transaction that wrote the row (pg_current_xact_id()): the monitor module''s cursor. NULL for rows written before Vantage 0.3.';

-- ---------------------------------------------------------------------------------------------------------------
-- Evaluation policy per monitor (NULL: the default)
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE api_monitors
    ADD COLUMN down_after          integer CHECK (down_after BETWEEN 1 AND 1000),
    ADD COLUMN up_after            integer CHECK (up_after BETWEEN 1 AND 1000),
    ADD COLUMN degraded_after      integer CHECK (degraded_after BETWEEN 1 AND 1000),
    ADD COLUMN grace_seconds       integer CHECK (grace_seconds BETWEEN 1 AND 604800),
    ADD COLUMN quorum              integer CHECK (quorum >= 1),
    ADD COLUMN flap_changes        integer CHECK (flap_changes >= 2),
    ADD COLUMN flap_window_minutes integer CHECK (flap_window_minutes BETWEEN 1 AND 10080);
COMMENT ON COLUMN api_monitors.down_after IS 'Consecutive failed probes that make a datacenter DOWN for this monitor; NULL means 3.';
COMMENT ON COLUMN api_monitors.up_after IS 'Consecutive successful probes that bring a DOWN datacenter back UP; NULL means 2.';
COMMENT ON COLUMN api_monitors.degraded_after IS 'Consecutive successful probes slower than the warning threshold that make a datacenter DEGRADED; NULL means 3.';
COMMENT ON COLUMN api_monitors.grace_seconds IS 'Seconds without any heartbeat after which a datacenter is UNKNOWN (no data: the agent or datacenter is lost, not the target); NULL means 2 intervals + 10 s.';
COMMENT ON COLUMN api_monitors.quorum IS 'How many of the monitor''s datacenters must be DOWN for it to be DOWN globally (and notify); fewer is a partial outage. NULL means half of its datacenters, rounded up.';
COMMENT ON COLUMN api_monitors.flap_changes IS 'More global state changes than this within flap_window_minutes mark the monitor FLAPPING, which holds notifications until it settles; NULL means 10 (one outage that spreads and recovers is about five changes).';
COMMENT ON COLUMN api_monitors.flap_window_minutes IS 'Window of the flapping rule in minutes; NULL means 30.';

-- ---------------------------------------------------------------------------------------------------------------
-- The monitor module's lease and cursor
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE monitor_leases (
    name        text PRIMARY KEY CHECK (name = 'monitor'),
    epoch       bigint NOT NULL CHECK (epoch > 0),
    holder      text NOT NULL,
    acquired_at timestamptz NOT NULL,
    released_at timestamptz
);
COMMENT ON TABLE monitor_leases IS 'The lease of the vantage monitor singleton: one row, updated by the replica that takes the advisory lock pg_try_advisory_lock(1447120468, 0).';
COMMENT ON COLUMN monitor_leases.name IS 'Always monitor.';
COMMENT ON COLUMN monitor_leases.epoch IS 'Fencing token: incremented at every acquisition; every evaluation transaction checks it under FOR SHARE, so a replica that lost the lease can commit nothing.';
COMMENT ON COLUMN monitor_leases.holder IS 'The process that holds the epoch (hostname-pid).';
COMMENT ON COLUMN monitor_leases.acquired_at IS 'When the epoch was acquired.';
COMMENT ON COLUMN monitor_leases.released_at IS 'When the holder released it gracefully; NULL while held or after a crash.';

CREATE TABLE monitor_cursor (
    name         text PRIMARY KEY CHECK (name = 'heartbeats'),
    commit_xid   xid8 NOT NULL,
    heartbeat_id bigint NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE monitor_cursor IS 'How far the monitor module has evaluated api_heartbeats, in (commit_xid, id) order; committed with the states it produced.';
COMMENT ON COLUMN monitor_cursor.name IS 'Always heartbeats.';
COMMENT ON COLUMN monitor_cursor.commit_xid IS 'commit_xid of the last heartbeat evaluated (or the watermark the cursor started from).';
COMMENT ON COLUMN monitor_cursor.heartbeat_id IS 'id of the last heartbeat evaluated within that commit_xid.';
COMMENT ON COLUMN monitor_cursor.updated_at IS 'When the cursor last moved.';

-- ---------------------------------------------------------------------------------------------------------------
-- State
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE monitor_states (
    monitor_id            integer NOT NULL,
    datacenter_id         integer,
    state                 text NOT NULL CHECK (state IN ('UP', 'DEGRADED', 'PARTIAL', 'DOWN', 'UNKNOWN')),
    since                 timestamptz NOT NULL,
    flapping              boolean NOT NULL DEFAULT false,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    consecutive_successes integer NOT NULL DEFAULT 0,
    consecutive_slow      integer NOT NULL DEFAULT 0,
    last_scheduled_at     timestamptz,
    last_success          boolean,
    last_response_time_ms double precision,
    last_error_type       text,
    last_error_message    text,
    failing_since         timestamptz,
    first_error_type      text,
    first_error_message   text,
    datacenters_down      integer[] NOT NULL DEFAULT '{}',
    state_changes         timestamptz[] NOT NULL DEFAULT '{}',
    details               text,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (datacenter_id IS NULL OR state <> 'PARTIAL')
);
CREATE UNIQUE INDEX monitor_states_global_key ON monitor_states (monitor_id) WHERE datacenter_id IS NULL;
CREATE UNIQUE INDEX monitor_states_datacenter_key ON monitor_states (monitor_id, datacenter_id) WHERE datacenter_id IS NOT NULL;
COMMENT ON TABLE monitor_states IS 'Current state of every monitor: one row per (monitor, datacenter) and one global row (datacenter_id NULL). Written by vantage monitor only; vantage status reads it.';
COMMENT ON COLUMN monitor_states.monitor_id IS 'Monitor (api_monitors.id).';
COMMENT ON COLUMN monitor_states.datacenter_id IS 'Datacenter of this state; NULL for the monitor''s global state across its datacenters.';
COMMENT ON COLUMN monitor_states.state IS 'UP; DEGRADED (slow past the warning threshold); DOWN (down_after failures in a row; globally: a quorum of datacenters DOWN); PARTIAL (global only: some datacenters DOWN, fewer than the quorum); UNKNOWN (no heartbeat within the grace window: the agent or datacenter is lost, not the target).';
COMMENT ON COLUMN monitor_states.since IS 'When the current state began (the slot of the heartbeat that caused it, or the end of the grace window).';
COMMENT ON COLUMN monitor_states.flapping IS 'Global row: more than flap_changes state changes within flap_window_minutes; notifications are held until it settles.';
COMMENT ON COLUMN monitor_states.consecutive_failures IS 'Failed probes in a row, up to the latest.';
COMMENT ON COLUMN monitor_states.consecutive_successes IS 'Successful probes in a row, up to the latest.';
COMMENT ON COLUMN monitor_states.consecutive_slow IS 'Successful probes slower than the warning threshold in a row, up to the latest.';
COMMENT ON COLUMN monitor_states.last_scheduled_at IS 'Slot of the newest heartbeat evaluated; older heartbeats arriving later do not change the state.';
COMMENT ON COLUMN monitor_states.last_success IS 'Whether the newest heartbeat succeeded.';
COMMENT ON COLUMN monitor_states.last_response_time_ms IS 'response_time_ms of the newest heartbeat.';
COMMENT ON COLUMN monitor_states.last_error_type IS 'error_type of the newest heartbeat.';
COMMENT ON COLUMN monitor_states.last_error_message IS 'error_message of the newest heartbeat.';
COMMENT ON COLUMN monitor_states.failing_since IS 'Slot of the first failed heartbeat of the current run of failures; NULL after a success.';
COMMENT ON COLUMN monitor_states.first_error_type IS 'error_type of that first failed heartbeat.';
COMMENT ON COLUMN monitor_states.first_error_message IS 'error_message of that first failed heartbeat.';
COMMENT ON COLUMN monitor_states.datacenters_down IS 'Global row: ids of the datacenters that are DOWN.';
COMMENT ON COLUMN monitor_states.state_changes IS 'Global row: times of the state changes within the flapping window.';
COMMENT ON COLUMN monitor_states.details IS 'One line for people, e.g. "DOWN in VA, NY: HTTP_STATUS [STATUS] (503) == 200" or "no data for 45 s".';
COMMENT ON COLUMN monitor_states.updated_at IS 'When the row was last written.';

-- ---------------------------------------------------------------------------------------------------------------
-- Incidents
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE incidents (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('monitor', 'datacenter')),
    monitor_id    integer,
    datacenter_id integer,
    scope         text NOT NULL CHECK (scope IN ('datacenter', 'global')),
    opened_at     timestamptz NOT NULL,
    resolved_at   timestamptz,
    error_type    text,
    error_message text,
    datacenters   integer[] NOT NULL DEFAULT '{}',
    notified      boolean NOT NULL DEFAULT false,
    dedup_key     text GENERATED ALWAYS AS ('vantage-incident-' || id) STORED,
    CHECK ((kind = 'monitor' AND monitor_id IS NOT NULL) OR (kind = 'datacenter' AND datacenter_id IS NOT NULL))
);
CREATE UNIQUE INDEX incidents_open_monitor_key ON incidents (monitor_id) WHERE kind = 'monitor' AND resolved_at IS NULL;
CREATE UNIQUE INDEX incidents_open_datacenter_key ON incidents (datacenter_id) WHERE kind = 'datacenter' AND resolved_at IS NULL;
CREATE INDEX incidents_opened_idx ON incidents (opened_at DESC);
COMMENT ON TABLE incidents IS 'Outages. kind monitor: open while any datacenter of the monitor is DOWN; scope datacenter (a partial outage, not notified) becomes global once a quorum of datacenters is DOWN, which notifies. kind datacenter: a datacenter with no live leader agent (LOST until FOUND).';
COMMENT ON COLUMN incidents.id IS 'Incident id.';
COMMENT ON COLUMN incidents.kind IS 'monitor (a target failing) or datacenter (a datacenter lost: no agent leading it).';
COMMENT ON COLUMN incidents.monitor_id IS 'Monitor of a kind monitor incident.';
COMMENT ON COLUMN incidents.datacenter_id IS 'Datacenter of a kind datacenter incident.';
COMMENT ON COLUMN incidents.scope IS 'datacenter (below the quorum) or global (a quorum of datacenters agreed at some point of the incident).';
COMMENT ON COLUMN incidents.opened_at IS 'Slot of the first failed heartbeat (monitor), or when the last leader was last seen (datacenter).';
COMMENT ON COLUMN incidents.resolved_at IS 'When it ended; NULL while open.';
COMMENT ON COLUMN incidents.error_type IS 'error_type of the first failed heartbeat.';
COMMENT ON COLUMN incidents.error_message IS 'error_message of the first failed heartbeat.';
COMMENT ON COLUMN incidents.datacenters IS 'Ids of every datacenter that was DOWN during the incident.';
COMMENT ON COLUMN incidents.notified IS 'Whether a firing notification was enqueued (then a resolved one follows).';
COMMENT ON COLUMN incidents.dedup_key IS 'Stable deduplication key of every notification of the incident (PagerDuty dedup_key, webhook payload).';

-- ---------------------------------------------------------------------------------------------------------------
-- Notification channels
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE notification_channels (
    id           serial PRIMARY KEY,
    name         varchar(100) NOT NULL UNIQUE,
    type         varchar(20) NOT NULL,
    settings     jsonb NOT NULL DEFAULT '{}'::jsonb,
    enabled      boolean NOT NULL DEFAULT true,
    is_default   boolean NOT NULL DEFAULT false,
    repeat_every interval DEFAULT interval '4 hours' CHECK (repeat_every IS NULL OR repeat_every >= interval '1 minute'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE notification_channels IS 'Where notifications go. A row that fails validation is skipped with a log line naming it and the reason; the others keep working.';
COMMENT ON COLUMN notification_channels.id IS 'Channel id.';
COMMENT ON COLUMN notification_channels.name IS 'Unique human name.';
COMMENT ON COLUMN notification_channels.type IS 'Notifier: webhook, slack, pagerduty, pushover, email, postgres or log (see README, Notifications).';
COMMENT ON COLUMN notification_channels.settings IS 'Options of the notifier as a JSON object, validated by it. Holds credentials: never logged nor shown.';
COMMENT ON COLUMN notification_channels.enabled IS 'false stops new notifications to this channel.';
COMMENT ON COLUMN notification_channels.is_default IS 'Used by monitors that have no monitor_channels row, and for datacenter incidents.';
COMMENT ON COLUMN notification_channels.repeat_every IS 'Reminder period while an incident stays open; NULL for no reminders.';
COMMENT ON COLUMN notification_channels.created_at IS 'When the row was created.';
COMMENT ON COLUMN notification_channels.updated_at IS 'When the row was last changed (maintained by a trigger).';
CREATE TRIGGER notification_channels_touch BEFORE UPDATE ON notification_channels
    FOR EACH ROW EXECUTE FUNCTION vantage_touch_updated_at();
CREATE TRIGGER notification_channels_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON notification_channels
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();

CREATE TABLE monitor_channels (
    monitor_id integer NOT NULL REFERENCES api_monitors (id) ON DELETE CASCADE,
    channel_id integer NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    PRIMARY KEY (monitor_id, channel_id)
);
CREATE INDEX monitor_channels_channel_idx ON monitor_channels (channel_id);
COMMENT ON TABLE monitor_channels IS 'Which channels a monitor notifies; a monitor without rows notifies the default channels.';
COMMENT ON COLUMN monitor_channels.monitor_id IS 'Monitor (api_monitors.id).';
COMMENT ON COLUMN monitor_channels.channel_id IS 'Channel (notification_channels.id).';
CREATE TRIGGER monitor_channels_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON monitor_channels
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();

-- ---------------------------------------------------------------------------------------------------------------
-- The outbox
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE notifications (
    id              bigserial PRIMARY KEY,
    incident_id     bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    channel_id      integer NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    event           text NOT NULL CHECK (event IN ('firing', 'reminder', 'resolved', 'flapping', 'lost', 'found')),
    dedup_key       text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notifications_incident_idx ON notifications (incident_id, channel_id, id);
COMMENT ON TABLE notifications IS 'Outbox: one row per notification to one channel, written in the transaction of the state change; the delivery loop sends it, with retries, in id order per incident and channel.';
COMMENT ON COLUMN notifications.id IS 'Notification id; also the webhook-id header, the same on every attempt.';
COMMENT ON COLUMN notifications.incident_id IS 'Incident notified about.';
COMMENT ON COLUMN notifications.channel_id IS 'Channel it goes to.';
COMMENT ON COLUMN notifications.event IS 'firing, reminder (incident still open after repeat_every), resolved, flapping, lost or found (datacenter incidents).';
COMMENT ON COLUMN notifications.dedup_key IS 'The incident''s deduplication key, the same for every notification of the incident.';
COMMENT ON COLUMN notifications.payload IS 'What happened, as JSON, fixed when the notification was enqueued; each notifier renders it in its own format.';
COMMENT ON COLUMN notifications.status IS 'pending (to send or retry), delivered, or failed (rejected by the receiver, or retries exhausted).';
COMMENT ON COLUMN notifications.attempts IS 'Attempts so far (see notification_attempts).';
COMMENT ON COLUMN notifications.next_attempt_at IS 'Earliest time of the next attempt (backoff with jitter, or the receiver''s Retry-After).';
COMMENT ON COLUMN notifications.claimed_until IS 'Set while an attempt is in flight; a monitor that dies mid-attempt leaves it to expire, and the notification is sent again (same webhook-id and dedup key).';
COMMENT ON COLUMN notifications.created_at IS 'When it was enqueued.';
COMMENT ON COLUMN notifications.delivered_at IS 'When the receiver accepted it.';
COMMENT ON COLUMN notifications.last_error IS 'Reason of the last failed attempt.';

CREATE TABLE notification_attempts (
    notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    attempt         integer NOT NULL,
    started_at      timestamptz NOT NULL,
    duration_ms     double precision NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'rejected')),
    status_code     integer,
    error           text,
    PRIMARY KEY (notification_id, attempt)
);
COMMENT ON TABLE notification_attempts IS 'Every delivery attempt of every notification.';
COMMENT ON COLUMN notification_attempts.notification_id IS 'Notification (notifications.id).';
COMMENT ON COLUMN notification_attempts.attempt IS '1 for the first attempt.';
COMMENT ON COLUMN notification_attempts.started_at IS 'When the attempt started.';
COMMENT ON COLUMN notification_attempts.duration_ms IS 'How long it took, in ms.';
COMMENT ON COLUMN notification_attempts.outcome IS 'delivered; retry (network error, timeout, 5xx or 429: tried again later); rejected (another 4xx or a permanent error: not retried).';
COMMENT ON COLUMN notification_attempts.status_code IS 'HTTP status (or SMTP reply code) of the answer; NULL when none arrived.';
COMMENT ON COLUMN notification_attempts.error IS 'Why it failed, without credentials.';
