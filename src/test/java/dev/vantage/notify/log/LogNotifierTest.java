package dev.vantage.notify.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContractTest;
import dev.vantage.notify.Outcome;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogNotifierTest extends NotifierContractTest<LogNotifier.Settings, LogLine> {
    private final LogNotifier notifier = new LogNotifier();

    @Override
    protected Notifier<LogNotifier.Settings, LogLine> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode();
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of();
    }

    @Override
    protected Optional<Target<LogNotifier.Settings, LogLine>> unreachable(int closedPort) {
        return Optional.empty();
    }

    @Test
    void aGroupIsOneLineNamingItsMembersAndTheirDedupKeys() throws Exception {
        assertThat(notifier.render(configured(), 101, Notices.group()))
                .isEqualTo(new LogLine(
                        true,
                        Event.FIRING,
                        "vantage-group-101",
                        "3 monitors DOWN: checkout (NY, VA), payments (VA), search (SYD)"
                                + " [vantage-incident-42, vantage-incident-43, vantage-incident-44]"));
    }

    @Test
    void renderPicksWarnWhileAnIncidentIsOpenAndInfoWhenItEnds() throws Exception {
        assertThat(notifier.render(configured(), 17, Notices.firing()))
                .isEqualTo(new LogLine(
                        true,
                        Event.FIRING,
                        "vantage-incident-42",
                        "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200"));
        assertThat(notifier.render(configured(), 18, Notices.resolved()))
                .isEqualTo(
                        new LogLine(false, Event.RESOLVED, "vantage-incident-42", "checkout is UP again after 10 min"));
        for (Event e : Event.values()) {
            assertThat(notifier.render(configured(), 1, Notices.with(Notices.firing(), e, "x"))
                            .warn())
                    .as("%s", e)
                    .isEqualTo(!e.closes());
        }
    }

    @Test
    void eachNoticeIsOneLineWithTheSummaryAndTheIncidentKey() throws Exception {
        var logger = (Logger) org.slf4j.LoggerFactory.getLogger("dev.vantage.notify.log");
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            var settings = configured();
            Outcome firing = notifier.send(
                    settings,
                    notifier.render(settings, 17, Notices.firing()),
                    Instant.now().plusSeconds(1));
            Outcome resolved = notifier.send(
                    settings,
                    notifier.render(settings, 18, Notices.resolved()),
                    Instant.now().plusSeconds(1));

            assertThat(firing).isEqualTo(Outcome.delivered(null));
            assertThat(resolved).isEqualTo(Outcome.delivered(null));
            assertThat(appender.list).hasSize(2);
            assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(appender.list.get(0).getFormattedMessage())
                    .isEqualTo(
                            "incident vantage-incident-42 firing: checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200");
            assertThat(appender.list.get(0).getKeyValuePairs())
                    .extracting(kv -> kv.key + "=" + kv.value)
                    .containsExactly("event=firing", "dedup_key=vantage-incident-42");
            assertThat(appender.list.get(1).getLevel()).isEqualTo(Level.INFO);
            assertThat(appender.list.get(1).getFormattedMessage())
                    .isEqualTo("incident vantage-incident-42 resolved: checkout is UP again after 10 min");
        } finally {
            logger.detachAppender(appender);
        }
    }
}
