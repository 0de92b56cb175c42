package dev.vantage.notify.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Attempt;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.Text;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * PostgreSQL {@code NOTIFY} on the Vantage database: any client that runs {@code LISTEN vantage_notifications} gets
 * each notice as compact JSON ({@code notification_id} and the notice's fields, snake_case). PostgreSQL caps a payload
 * below 8000 bytes; the payload is kept within {@value #MAX_BYTES} by dropping the last suppressed dependents first
 * (the summary still counts them all), then cutting the error message, the summary and the target, each measured as
 * written (JSON escapes included). A group notice lists its {@code members} as the webhook does, as many as fit, and
 * counts the others in {@code members_omitted}.
 */
public final class PostgresNotifier implements Notifier<PostgresSettings, String> {
    public static final int MAX_BYTES = 7900;

    private final DataSource database;
    private final Clock clock;

    public PostgresNotifier(NotifierContext context) {
        this.database = context.database();
        this.clock = context.clock();
    }

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public PostgresSettings configure(JsonNode settings) throws InvalidChannelException {
        return PostgresSettings.from(settings);
    }

    @Override
    public String render(PostgresSettings settings, long notificationId, Notice notice) {
        ObjectNode payload = NoticeJson.MAPPER.createObjectNode();
        payload.put("notification_id", notificationId);
        payload.setAll(NoticeJson.toJson(notice));
        dropMembersOver(payload);
        int excess = Text.utf8Length(NoticeJson.write(payload)) - MAX_BYTES;
        if (excess > 0 && payload.get("suppressed") instanceof ArrayNode dependents) {
            for (int i = dependents.size() - 1; i >= 0 && excess > 0; i--) {
                excess -= Text.utf8Length(NoticeJson.write(dependents.remove(i))) + 1;
            }
        }
        for (String field : new String[] {"error_message", "summary", "target"}) {
            int over = Text.utf8Length(NoticeJson.write(payload)) - MAX_BYTES;
            if (over <= 0) {
                break;
            }
            JsonNode value = payload.get(field);
            if (value != null && value.isTextual()) {
                int written = Text.utf8Length(NoticeJson.write(value)) - 2;
                payload.put(field, cutToJsonBytes(value.textValue(), Math.max(3, written - over)));
            }
        }
        return NoticeJson.write(payload);
    }

    /**
     * A group too long for one payload keeps its first members and says how many it left out ({@code
     * members_omitted}); every member is in {@code notifications}, {@code WHERE group_id = notification_id}.
     */
    private static void dropMembersOver(ObjectNode payload) {
        if (!(payload.get("members") instanceof ArrayNode members)
                || Text.utf8Length(NoticeJson.write(payload)) <= MAX_BYTES) {
            return;
        }
        int omitted = 0;
        payload.put("members_omitted", 0);
        while (!members.isEmpty() && Text.utf8Length(NoticeJson.write(payload)) > MAX_BYTES) {
            members.remove(members.size() - 1);
            payload.put("members_omitted", ++omitted);
        }
    }

    /** The longest prefix whose JSON-escaped form, with an ellipsis, fits in {@code budget} bytes of UTF-8. */
    static String cutToJsonBytes(String s, int budget) {
        int used = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int size = escapedLength(cp);
            if (used + size + 3 > budget) {
                return s.substring(0, i) + "…";
            }
            used += size;
            i += Character.charCount(cp);
        }
        return s;
    }

    /** Bytes of one code point in Jackson's JSON output: escapes for quotes, backslashes and control characters. */
    private static int escapedLength(int cp) {
        if (cp == '"' || cp == '\\' || cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t') {
            return 2;
        }
        if (cp < 0x20) {
            return 6;
        }
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    @Override
    public Outcome send(PostgresSettings settings, String payload, Instant deadline) {
        if (database == null) {
            return Outcome.retry(null, null, "no database to NOTIFY on");
        }
        return Attempt.withDeadline(clock, deadline, "NOTIFY", () -> notify(settings.channel(), payload, deadline));
    }

    private Outcome notify(String channel, String payload, Instant deadline) {
        try (var connection = database.getConnection();
                var statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            long seconds =
                    Math.max(1, Duration.between(clock.instant(), deadline).toSeconds() + 1);
            statement.setQueryTimeout((int) Math.min(seconds, 3600));
            statement.setString(1, channel);
            statement.setString(2, payload);
            statement.execute();
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return Outcome.delivered(null);
        } catch (SQLException e) {
            // The SQLSTATE says what failed; driver messages name hosts and users, so they stay out.
            return Outcome.retry(null, null, "database error (SQLSTATE " + e.getSQLState() + ")");
        }
    }
}
