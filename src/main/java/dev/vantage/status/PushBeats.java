package dev.vantage.status;

import static dev.vantage.status.StatusQuery.utc;

import dev.vantage.store.Columns;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * What a report shows of a push monitor in place of datacenter cells: its newest success or fail beat and the newest
 * message its recent beats carried. One query for all push monitors; per monitor it reads at most
 * {@value #RECENT_BEATS} rows, through the unique index {@code (monitor_id, datacenter_id, scheduled_at)}, in the
 * partitions of a bounded time range, so a monitor that beats every second costs the same as one that beats daily.
 * Never reads {@code push_token}.
 */
final class PushBeats {
    /** The newest beats looked at per monitor. */
    static final int RECENT_BEATS = 50;
    /** A message is shown cut to this many characters (code points), so 100 KiB of job output stays in the table. */
    static final int MESSAGE_CHARS = 200;
    /** Characters of a message read from the database: no more, since a message may hold 100 KiB. */
    static final int HEAD_CHARS = 2 * MESSAGE_CHARS;

    static final String CUT = "…";
    /** What a masked ping token reads as, as {@code vantage beat} prints ping URLs. */
    static final String TOKEN = "<token>";
    /** A ping URL's token, whole or cut: a job's output may quote the curl line that failed. */
    private static final Pattern PING_TOKEN = Pattern.compile("/ping/[A-Za-z0-9_-]+");

    /** {@code text} with the tokens of the ping URLs it quotes masked; null for null. */
    static String maskTokens(String text) {
        return text == null ? null : PING_TOKEN.matcher(text).replaceAll("/ping/" + TOKEN);
    }

    /**
     * @param lastBeatAt slot of the newest success or fail beat (start and log beats change no state); null if none
     * @param lastMessage the newest message, cut and with ping tokens masked; null if none
     */
    record Beats(Instant lastBeatAt, String lastMessage) {}

    private PushBeats() {}

    /**
     * Per push monitor id. The newest counted beat is {@code monitor_states.last_scheduled_at} of its datacenter-0 row
     * (the evaluator's), or a newer one the evaluator has not read yet. The message is that of the newest beat of any
     * kind that has one, among the last {@value #RECENT_BEATS} beats since one period and grace before that beat (a
     * day and a period and grace back from now when the monitor module has not evaluated the monitor yet).
     */
    static Map<Integer, Beats> read(Handle h, Instant now) {
        var out = new HashMap<Integer, Beats>();
        h.createQuery(
                        """
                        SELECT m.id, greatest(st.last_scheduled_at, recent.last_beat), recent.message
                        FROM api_monitors m
                        JOIN schedules s ON s.id = m.schedule_id
                        LEFT JOIN monitor_states st ON st.monitor_id = m.id AND st.datacenter_id = 0
                        CROSS JOIN LATERAL (
                            SELECT coalesce(st.last_scheduled_at, :day_ago)
                                       - make_interval(secs => s.interval + coalesce(m.grace_seconds, s.interval)) AS since
                        ) w
                        CROSS JOIN LATERAL (
                            SELECT max(r.scheduled_at) FILTER (WHERE r.beat_kind IN ('success', 'fail')) AS last_beat,
                                   (array_agg(substr(r.message, 1, :head) ORDER BY r.scheduled_at DESC)
                                        FILTER (WHERE r.message IS NOT NULL))[1] AS message
                            FROM (SELECT hb.scheduled_at, hb.beat_kind, hb.message
                                  FROM api_heartbeats hb
                                  WHERE hb.monitor_id = m.id AND hb.datacenter_id = 0
                                    AND hb.scheduled_at > w.since AND hb.scheduled_at < :horizon
                                  ORDER BY hb.scheduled_at DESC
                                  LIMIT :recent) r
                        ) recent
                        WHERE lower(btrim(m.type)) = 'push'
                        """)
                .bind("day_ago", utc(now.minus(StatusQuery.DAY)))
                // Future partitions (created a week ahead) hold no beat: pruned.
                .bind("horizon", utc(now.plus(StatusQuery.DAY)))
                .bind("head", HEAD_CHARS + 1)
                .bind("recent", RECENT_BEATS)
                .map((rs, ctx) -> out.put(rs.getInt(1), new Beats(Columns.instant(rs, 2), message(rs.getString(3)))))
                .list();
        return out;
    }

    /**
     * A message as shown, from {@code head}, its first {@link #HEAD_CHARS} + 1 characters: ping tokens masked, then cut
     * to {@link #MESSAGE_CHARS} characters, ending with {@link #CUT} when the message is longer. The head is read
     * longer than what is shown so that masks, which shorten it, still leave a full message; masking comes first, so a
     * cut never leaves part of a token.
     */
    static String message(String head) {
        if (head == null) {
            return null;
        }
        boolean longer = head.codePointCount(0, head.length()) > HEAD_CHARS;
        String masked = maskTokens(head);
        if (masked.codePointCount(0, masked.length()) > MESSAGE_CHARS) {
            return masked.substring(0, masked.offsetByCodePoints(0, MESSAGE_CHARS)) + CUT;
        }
        return longer ? masked + CUT : masked;
    }
}
