package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NotifierRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final NotifierRegistry registry = NotifierRegistry.standard(NotifierContext.of(null, Clock.systemUTC()));

    @Test
    void theStandardRegistryHasTheFifteenNotifiers() {
        assertThat(registry.types())
                .containsExactly(
                        "alertmanager",
                        "discord",
                        "email",
                        "log",
                        "nats",
                        "ntfy",
                        "opsgenie",
                        "pagerduty",
                        "postgres",
                        "pushover",
                        "redis",
                        "slack",
                        "teams",
                        "telegram",
                        "webhook");
    }

    @Test
    void anUnknownTypeIsRejectedNamingTheKnownOnes() {
        var e = catchThrowableOfType(
                InvalidChannelException.class, () -> registry.configure(1, "ops", "sms", JSON.createObjectNode()));
        assertThat(e.field()).isEqualTo("type");
        assertThat(e.reason())
                .isEqualTo("unknown notifier type 'sms' (known types: alertmanager, discord, email, log, nats, ntfy,"
                        + " opsgenie, pagerduty, postgres, pushover, redis, slack, teams, telegram, webhook)");
    }

    @Test
    void aConfiguredChannelRendersAndSendsWithoutNamingTypes() throws Exception {
        Channel channel = registry.configure(3, "audit", "LOG", JSON.createObjectNode());

        Channel.Message message = channel.render(17, Notices.firing());
        Outcome outcome = channel.send(message, Instant.now().plusSeconds(1));

        assertThat(channel.type()).isEqualTo("log");
        assertThat(channel.id()).isEqualTo(3);
        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.DELIVERED);
    }

    @Test
    void aMessageCanOnlyBeSentThroughTheChannelThatRenderedIt() throws Exception {
        Channel a = registry.configure(1, "a", "log", JSON.createObjectNode());
        Channel b = registry.configure(2, "b", "log", JSON.createObjectNode());

        assertThatThrownBy(() ->
                        b.send(a.render(1, Notices.firing()), Instant.now().plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChannelShowsNoSecretWhenPrinted() throws Exception {
        Channel channel = registry.configure(
                1,
                "slack",
                "slack",
                JSON.createObjectNode().put("url", "https://hooks.slack.com/services/T0/B0/plantedToken77"));
        assertThat(channel.toString()).doesNotContain("plantedToken77");
    }

    @Test
    void noticesSurviveTheTripThroughTheOutboxPayload() {
        for (Notice n : new Notice[] {Notices.firing(), Notices.resolved()}) {
            assertThat(NoticeJson.fromJson(NoticeJson.toJson(n))).isEqualTo(n);
        }
    }
}
