-- Slow-response and phase alerts (issue 15). Two opt-ins per monitor:
--   * phase_thresholds: a warning threshold on one phase of a probe (DNS lookup, TCP connect, TLS handshake, time to
--     first byte), for every datacenter or for one. A success with a phase above its threshold is slow, like one
--     slower than the warning threshold; degraded_after slow ones in a row make the datacenter DEGRADED.
--   * api_monitors.notify_degraded_after: a datacenter DEGRADED (slow) for that many slots in a row opens a fourth
--     kind of incident, degraded, notified once (event degraded) and resolved (event recovered) once no datacenter is
--     slow or DOWN and every datacenter that was slow in it reports again. NULL: DEGRADED is only shown, as before.

CREATE TABLE phase_thresholds (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor_id    integer NOT NULL REFERENCES api_monitors (id) ON DELETE CASCADE,
    datacenter_id integer REFERENCES datacenters (id) ON DELETE CASCADE,
    phase         text NOT NULL
                  CHECK (phase IN ('dns_lookup_ms', 'tcp_connect_ms', 'tls_handshake_ms', 'time_to_first_byte_ms')),
    warning_ms    double precision NOT NULL CHECK (warning_ms > 0 AND warning_ms < 'Infinity'),
    UNIQUE NULLS NOT DISTINCT (monitor_id, datacenter_id, phase)
);
COMMENT ON TABLE phase_thresholds IS 'Warning thresholds on one phase of a monitor''s probes. A success with a phase above its threshold is slow (as one slower than api_heartbeats.warning_threshold_ms); degraded_after slow ones in a row make the datacenter DEGRADED. A row for one datacenter overrides the row for every datacenter of the same monitor and phase.';
COMMENT ON COLUMN phase_thresholds.id IS 'Identity of the row.';
COMMENT ON COLUMN phase_thresholds.monitor_id IS 'The monitor whose probes are judged.';
COMMENT ON COLUMN phase_thresholds.datacenter_id IS 'The datacenter the threshold applies to; NULL for every datacenter of the monitor (a datacenter''s own row of the same phase overrides it).';
COMMENT ON COLUMN phase_thresholds.phase IS 'The api_heartbeats column judged: dns_lookup_ms, tcp_connect_ms, tls_handshake_ms or time_to_first_byte_ms. A heartbeat without that phase (NULL: a reused connection, no TLS) is never slow for it.';
COMMENT ON COLUMN phase_thresholds.warning_ms IS 'Milliseconds above which the phase is slow (strictly above), positive.';

CREATE INDEX phase_thresholds_datacenter_idx ON phase_thresholds (datacenter_id) WHERE datacenter_id IS NOT NULL;
CREATE TRIGGER phase_thresholds_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON phase_thresholds
    FOR EACH STATEMENT EXECUTE FUNCTION vantage_notify_config();

ALTER TABLE api_monitors ADD COLUMN notify_degraded_after integer CHECK (notify_degraded_after BETWEEN 1 AND 1000);
COMMENT ON COLUMN api_monitors.notify_degraded_after IS 'Slots a datacenter must stay DEGRADED (slow: degraded_after + this - 1 slow successes in a row) before a degraded incident opens and notifies (event degraded, then recovered); NULL: DEGRADED is only shown, never notified.';

-- ---------------------------------------------------------------------------------------------------------------
-- The degraded incident
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE incidents DROP CONSTRAINT incidents_kind_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_kind_check
    CHECK (kind IN ('monitor', 'datacenter', 'certificate', 'degraded'));
ALTER TABLE incidents DROP CONSTRAINT incidents_subject_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_subject_check CHECK (
    (kind = 'monitor' AND monitor_id IS NOT NULL AND cert_not_after IS NULL)
    OR (kind = 'datacenter' AND datacenter_id IS NOT NULL AND cert_not_after IS NULL)
    OR (kind = 'certificate' AND monitor_id IS NOT NULL AND cert_not_after IS NOT NULL)
    OR (kind = 'degraded' AND monitor_id IS NOT NULL AND cert_not_after IS NULL));
CREATE UNIQUE INDEX incidents_open_degraded_key ON incidents (monitor_id) WHERE kind = 'degraded' AND resolved_at IS NULL;

-- Its own dedup key, so that a receiver tracks the slowness apart from an outage of the same monitor.
ALTER TABLE incidents DROP COLUMN dedup_key;
ALTER TABLE incidents ADD COLUMN dedup_key text GENERATED ALWAYS AS (
    CASE WHEN kind = 'certificate'
         THEN 'vantage-certificate-' || monitor_id || '-'
              || floor(extract(epoch FROM cert_not_after - timestamptz '1970-01-01 00:00:00+00'))::bigint
         WHEN kind = 'degraded' THEN 'vantage-degraded-' || id
         ELSE 'vantage-incident-' || id
    END) STORED;

ALTER TABLE notifications DROP CONSTRAINT notifications_event_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_event_check
    CHECK (event IN ('firing', 'reminder', 'resolved', 'flapping', 'lost', 'found', 'certificate', 'renewed',
                     'degraded', 'recovered'));

COMMENT ON TABLE incidents IS 'Outages. kind monitor: open while any datacenter of the monitor is DOWN; scope datacenter (a partial outage, not notified) becomes global once a quorum of datacenters is DOWN, which notifies. kind datacenter: a datacenter with no live leader agent (LOST until FOUND). kind certificate: the monitor''s certificate expires within cert_expiry_warning_days (CERTIFICATE, once per certificate, until RENEWED). kind degraded: a datacenter of the monitor stayed DEGRADED (slow) for notify_degraded_after slots (DEGRADED once, until RECOVERED).';
COMMENT ON COLUMN incidents.kind IS 'monitor (a target failing), datacenter (a datacenter lost: no agent leading it), certificate (a certificate about to expire) or degraded (a target slow for notify_degraded_after slots).';
COMMENT ON COLUMN incidents.monitor_id IS 'Monitor of a kind monitor, certificate or degraded incident.';
COMMENT ON COLUMN incidents.opened_at IS 'Slot of the first failed heartbeat (monitor), when the last leader was last seen (datacenter), slot of the first heartbeat that warned of the certificate (certificate), or slot at which the first datacenter became DEGRADED (degraded).';
COMMENT ON COLUMN incidents.error_message IS 'error_message of the first failed heartbeat; for kind certificate, its cert_expiry_warning; for kind degraded, why the first datacenter is slow (e.g. DNS slow in SYD: dns_lookup_ms 182.4 > 100 (3 in a row)).';
COMMENT ON COLUMN incidents.datacenters IS 'Ids of every datacenter that was DOWN during the incident (kind certificate: the datacenter that first saw the warning; kind degraded: every datacenter that was slow during it).';
COMMENT ON COLUMN incidents.notified IS 'Whether a firing (lost, certificate, degraded) notification was enqueued (then a resolved, found, renewed or recovered one follows).';
COMMENT ON COLUMN incidents.dedup_key IS 'Stable deduplication key of every notification of the incident (PagerDuty dedup_key, webhook payload): vantage-incident-<id>, vantage-certificate-<monitor id>-<notAfter in epoch seconds> for kind certificate, vantage-degraded-<id> for kind degraded.';
COMMENT ON COLUMN notifications.event IS 'firing, reminder (incident still open after repeat_every), resolved, flapping, lost or found (datacenter incidents), certificate or renewed (certificate incidents; never reminded), degraded or recovered (degraded incidents; never reminded).';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: the function in force before this version, then what this version adds. Named after the version it
-- precedes, so that other versions wrapping it in between keep their own names.
-- ---------------------------------------------------------------------------------------------------------------

ALTER FUNCTION vantage_grant_roles() RENAME TO vantage_grant_roles_before_v17;
COMMENT ON FUNCTION vantage_grant_roles_before_v17() IS 'The grants before schema 17; vantage_grant_roles() runs it first.';

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    granted text[];
BEGIN
    granted := vantage_grant_roles_before_v17();
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        -- EvaluationConfigDao: the phase thresholds and the opt-in of every enabled monitor.
        GRANT SELECT ON phase_thresholds TO vantage_monitor;
        GRANT SELECT (notify_degraded_after) ON api_monitors TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        GRANT SELECT ON phase_thresholds TO vantage_reader;
        GRANT SELECT (notify_degraded_after) ON api_monitors TO vantage_reader;
    END IF;
    RETURN granted;
END
$$;
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles_before_v17() FROM PUBLIC;

SELECT vantage_grant_roles();
