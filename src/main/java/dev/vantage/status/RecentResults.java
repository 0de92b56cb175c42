package dev.vantage.status;

import static dev.vantage.status.StatusQuery.utc;

import dev.vantage.status.StatusReport.Result;
import dev.vantage.store.Columns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The last {@value Result#BAR} results of every (monitor, datacenter) pair within 24 h, for the status page's bars. One
 * query for the whole report: per pair of {@code datacenter_monitors}, a LATERAL scan of the unique index {@code
 * (monitor_id, datacenter_id, scheduled_at)} backwards, stopped after {@value Result#BAR} rows, in the partitions of the
 * last day only; so a thousand monitors in three datacenters cost 3,000 short index scans, not a scan of their day.
 * A push monitor's bar is its last success and fail beats (start and log beats say nothing of a run's outcome), read
 * the same way under its pseudo-datacenter 0.
 */
final class RecentResults {
    /** Characters of an error message read from the database; a tooltip shows a sentence of it. */
    private static final int MESSAGE_CHARS = 300;

    private static final String TIMEOUT = "TIMEOUT";

    private RecentResults() {}

    /** Per monitor id, per datacenter id: results oldest first. */
    static Map<Integer, Map<Integer, List<Result>>> read(Handle h, Instant now) {
        var out = new HashMap<Integer, Map<Integer, List<Result>>>();
        h.createQuery(
                        """
                        SELECT dm.monitor_id, dm.datacenter_id, r.executed_at, r.success, r.response_time_ms,
                               r.warning_threshold_ms, r.error_type, r.error_message, r.in_maintenance
                        FROM (SELECT monitor_id, datacenter_id, false AS push FROM datacenter_monitors
                              UNION ALL
                              SELECT id, 0, true FROM api_monitors WHERE lower(type) = 'push') dm
                        CROSS JOIN LATERAL (
                            SELECT hb.scheduled_at, hb.executed_at, hb.success, hb.response_time_ms,
                                   hb.warning_threshold_ms, hb.error_type, substr(hb.error_message, 1, :chars)
                                       AS error_message, hb.in_maintenance
                            FROM api_heartbeats hb
                            WHERE hb.monitor_id = dm.monitor_id AND hb.datacenter_id = dm.datacenter_id
                              AND hb.scheduled_at > :from AND hb.scheduled_at <= :now
                              AND CASE WHEN dm.push THEN hb.beat_kind IN ('success', 'fail')
                                       ELSE hb.beat_kind IS NULL END
                            ORDER BY hb.scheduled_at DESC
                            LIMIT :bar
                        ) r
                        ORDER BY dm.monitor_id, dm.datacenter_id, r.scheduled_at
                        """)
                .bind("from", utc(now.minus(MonitorStatuses.DAY)))
                .bind("now", utc(now))
                .bind("chars", MESSAGE_CHARS)
                .bind("bar", Result.BAR)
                .map((rs, ctx) -> {
                    boolean success = rs.getBoolean(4);
                    Double ms = (Double) rs.getObject(5);
                    Integer warning = (Integer) rs.getObject(6);
                    String type = rs.getString(7);
                    String outcome = outcome(success, ms, warning, type, rs.getBoolean(9));
                    // A fail beat's error may be the sender's own text, which may quote a ping URL: as in the last
                    // message.
                    String message = rs.getInt(2) == 0 ? PushBeats.maskTokens(rs.getString(8)) : rs.getString(8);
                    String error =
                            success ? null : type == null ? message : message == null ? type : type + ": " + message;
                    out.computeIfAbsent(rs.getInt(1), k -> new HashMap<>())
                            .computeIfAbsent(rs.getInt(2), k -> new ArrayList<>())
                            .add(new Result(Columns.instant(rs, 3), outcome, ms, error));
                    return 0;
                })
                .list();
        return out;
    }

    static String outcome(boolean success, Double ms, Integer warningMs, String errorType, boolean maintenance) {
        if (maintenance) {
            return "maintenance";
        }
        if (!success) {
            return TIMEOUT.equals(errorType) ? "timeout" : "down";
        }
        return warningMs != null && ms != null && ms > warningMs ? "slow" : "up";
    }
}
