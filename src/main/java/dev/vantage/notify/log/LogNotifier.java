package dev.vantage.notify.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.Outcome;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One SLF4J line per notice on logger {@code dev.vantage.notify.log}, with {@code event} and {@code dedup_key} as
 * key-value pairs (fields of the JSON log line). Takes no settings; always delivered.
 */
public final class LogNotifier implements Notifier<LogNotifier.Settings, LogLine> {
    static final Logger LOG = LoggerFactory.getLogger("dev.vantage.notify.log");

    /** The {@code log} notifier has no options. */
    public record Settings() {}

    @Override
    public String type() {
        return "log";
    }

    @Override
    public Settings configure(JsonNode settings) throws InvalidChannelException {
        ChannelSettingsReader.of(settings, Set.of());
        return new Settings();
    }

    @Override
    public LogLine render(Settings settings, long notificationId, Notice notice) {
        boolean warn = !notice.event().closes();
        return new LogLine(warn, notice.event(), notice.dedupKey(), text(notice));
    }

    /** A group's summary names its members; their dedup keys follow, so that each can be found in the log. */
    static String text(Notice notice) {
        if (!notice.isGroup()) {
            return notice.summary();
        }
        return notice.summary() + " ["
                + notice.members().stream().map(Notice::dedupKey).collect(Collectors.joining(", ")) + "]";
    }

    @Override
    public Outcome send(Settings settings, LogLine line, Instant deadline) {
        LOG.atLevel(line.warn() ? Level.WARN : Level.INFO)
                .addKeyValue("event", line.event().wireName())
                .addKeyValue("dedup_key", line.dedupKey())
                .log("incident {} {}: {}", line.dedupKey(), line.event().wireName(), line.summary());
        return Outcome.delivered(null);
    }
}
