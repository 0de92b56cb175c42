-- A third kind of incident, certificate: a monitor's server certificate within its cert_expiry_warning_days. Opened
-- by the evaluator when a successful heartbeat first carries details.cert_expiry_warning for a certificate (known by
-- its cert_not_after); notified once with the event certificate; resolved with the event renewed when a success no
-- longer carries a warning or carries another certificate (a new certificate still within the window opens the next
-- incident). Its dedup key names the certificate, so that a receiver dedups it too.

ALTER TABLE incidents DROP CONSTRAINT incidents_kind_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_kind_check CHECK (kind IN ('monitor', 'datacenter', 'certificate'));
ALTER TABLE incidents DROP CONSTRAINT incidents_check;
ALTER TABLE incidents ADD COLUMN cert_not_after timestamptz;
ALTER TABLE incidents ADD CONSTRAINT incidents_subject_check CHECK (
    (kind = 'monitor' AND monitor_id IS NOT NULL AND cert_not_after IS NULL)
    OR (kind = 'datacenter' AND datacenter_id IS NOT NULL AND cert_not_after IS NULL)
    OR (kind = 'certificate' AND monitor_id IS NOT NULL AND cert_not_after IS NOT NULL));
CREATE UNIQUE INDEX incidents_open_certificate_key ON incidents (monitor_id)
    WHERE kind = 'certificate' AND resolved_at IS NULL;

-- The epoch seconds come from an interval, not from extract(epoch FROM timestamptz), which is not immutable.
ALTER TABLE incidents DROP COLUMN dedup_key;
ALTER TABLE incidents ADD COLUMN dedup_key text GENERATED ALWAYS AS (
    CASE WHEN kind = 'certificate'
         THEN 'vantage-certificate-' || monitor_id || '-'
              || floor(extract(epoch FROM cert_not_after - timestamptz '1970-01-01 00:00:00+00'))::bigint
         ELSE 'vantage-incident-' || id
    END) STORED;

ALTER TABLE notifications DROP CONSTRAINT notifications_event_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_event_check
    CHECK (event IN ('firing', 'reminder', 'resolved', 'flapping', 'lost', 'found', 'certificate', 'renewed'));

COMMENT ON TABLE incidents IS 'Outages. kind monitor: open while any datacenter of the monitor is DOWN; scope datacenter (a partial outage, not notified) becomes global once a quorum of datacenters is DOWN, which notifies. kind datacenter: a datacenter with no live leader agent (LOST until FOUND). kind certificate: the monitor''s certificate expires within cert_expiry_warning_days (CERTIFICATE, once per certificate, until RENEWED).';
COMMENT ON COLUMN incidents.kind IS 'monitor (a target failing), datacenter (a datacenter lost: no agent leading it) or certificate (a certificate about to expire).';
COMMENT ON COLUMN incidents.monitor_id IS 'Monitor of a kind monitor or certificate incident.';
COMMENT ON COLUMN incidents.scope IS 'datacenter (below the quorum) or global (a quorum of datacenters agreed at some point of the incident; always global for kind certificate).';
COMMENT ON COLUMN incidents.opened_at IS 'Slot of the first failed heartbeat (monitor), when the last leader was last seen (datacenter), or slot of the first heartbeat that warned of the certificate (certificate).';
COMMENT ON COLUMN incidents.error_message IS 'error_message of the first failed heartbeat; for kind certificate, its cert_expiry_warning.';
COMMENT ON COLUMN incidents.datacenters IS 'Ids of every datacenter that was DOWN during the incident (kind certificate: the datacenter that first saw the warning).';
COMMENT ON COLUMN incidents.notified IS 'Whether a firing (lost, certificate) notification was enqueued (then a resolved, found or renewed one follows).';
COMMENT ON COLUMN incidents.cert_not_after IS 'Kind certificate: the notAfter of the certificate warned about (details.cert_not_after); NULL for other kinds.';
COMMENT ON COLUMN incidents.dedup_key IS 'Stable deduplication key of every notification of the incident (PagerDuty dedup_key, webhook payload): vantage-incident-<id>, or vantage-certificate-<monitor id>-<notAfter in epoch seconds> for kind certificate.';
COMMENT ON COLUMN notifications.event IS 'firing, reminder (incident still open after repeat_every), resolved, flapping, lost or found (datacenter incidents), certificate or renewed (certificate incidents; never reminded).';
