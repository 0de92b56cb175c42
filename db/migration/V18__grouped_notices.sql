-- Grouped notices: when several incidents open (or end) within a short window on one channel, the channel gets one
-- notice that lists them, as Alertmanager's group_wait does. The first groupable pending notification of a channel
-- waits group_seconds from its created_at; then every due, groupable notification of that channel and of the same
-- class (opening: firing, lost, reminder; closing: resolved, found) is claimed together and sent as one notice, whose
-- members keep their own dedup keys. flapping, certificate and renewed are always sent alone, and so is everything
-- to a notifier whose service takes one incident per request (pagerduty).
--
-- Delivery claims under pg_advisory_xact_lock(6215335084763206722) ('VANT' << 32 | 'OUTB', the one-bigint key space,
-- objsubid 1 in pg_locks), so that two processes never split one group between them.

ALTER TABLE notification_channels
    ADD COLUMN group_seconds integer NOT NULL DEFAULT 30 CHECK (group_seconds BETWEEN 0 AND 3600);
COMMENT ON COLUMN notification_channels.group_seconds IS 'Notifications of incidents that open (or end) within this many seconds of the first one are sent as one notice listing them; 0 sends each at once. Not applied to pagerduty, nor to flapping, certificate and renewed.';

ALTER TABLE notifications ADD COLUMN group_id bigint;
CREATE INDEX notifications_group_idx ON notifications (group_id) WHERE group_id IS NOT NULL AND status = 'pending';
COMMENT ON COLUMN notifications.group_id IS 'Id of the first notification sent together with this one as one notice (its own id when sent alone); set at the first attempt and kept, so that a retry, or a send again after a crash, sends the same members. NULL before the first attempt.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: the previous function, then what this version adds
-- ---------------------------------------------------------------------------------------------------------------

ALTER FUNCTION vantage_grant_roles() RENAME TO vantage_grant_roles_before_v18;
COMMENT ON FUNCTION vantage_grant_roles_before_v18() IS 'The grants of the schema before version 18; vantage_grant_roles() runs it first.';

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    granted text[];
BEGIN
    granted := vantage_grant_roles_before_v18();
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        -- Every column of notification_channels but settings (credentials).
        GRANT SELECT (group_seconds) ON notification_channels TO vantage_reader;
    END IF;
    RETURN granted;
END
$$;
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles_before_v18() FROM PUBLIC;

SELECT vantage_grant_roles();
