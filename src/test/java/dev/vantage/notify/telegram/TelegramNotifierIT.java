package dev.vantage.notify.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.HttpNotifierContractTest;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TelegramNotifierIT extends HttpNotifierContractTest<TelegramSettings, HttpMessage> {
    static final String TOKEN = "123456789:AAplantedTelegramToken_0123456789-x";

    private final TelegramNotifier notifier = new TelegramNotifier(CONTEXT);

    @Override
    protected Notifier<TelegramSettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode().put("bot_token", TOKEN).put("chat_id", -1001234567890L);
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return validSettings().put("api_url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(TOKEN, "AAplantedTelegramToken_0123456789-x");
    }

    @Test
    void aFiringNoticeIsAnHtmlMessageToTheChat() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"chat_id": -1001234567890,
                 "text": "<b>🔴 FIRING checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200</b>\\n<b>Event:</b> firing\\n<b>State:</b> DOWN\\n<b>Monitor:</b> checkout\\n<b>Datacenters:</b> NY, VA\\n<b>Target:</b> https://shop.example.com/checkout\\n<b>Error:</b> HTTP_STATUS: [STATUS] (503) == 200\\n<b>Opened at:</b> 2025-03-01T12:00:00Z\\n<b>Incident:</b> vantage-incident-42",
                 "parse_mode": "HTML",
                 "link_preview_options": {"is_disabled": true}}
                """));
    }

    @Test
    void aChannelUsernameIsSentAsAString() throws Exception {
        var settings = notifier.configure(validSettings().put("chat_id", "@vantage_alerts"));
        var body =
                JSON.readTree(notifier.render(settings, 1, Notices.resolved()).body());

        assertThat(body.get("chat_id").isTextual()).isTrue();
        assertThat(body.get("chat_id").asText()).isEqualTo("@vantage_alerts");
        assertThat(body.get("text").asText()).startsWith("<b>🟢 RESOLVED checkout is UP again after 10 min</b>\n");
    }

    @Test
    void markupInANoticeIsEscapedSoItCannotInjectHtml() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "<a href=\"x\">a</a> & <b>b</b>");
        var text = JSON.readTree(notifier.render(configured(), 1, notice).body())
                .get("text")
                .asText();

        assertThat(text).startsWith("<b>🔴 FIRING &lt;a href=\"x\"&gt;a&lt;/a&gt; &amp; &lt;b&gt;b&lt;/b&gt;</b>\n");
    }

    @Test
    void aLongNoticeStaysWithinTelegramsLimitWithoutCuttingAnEntity() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "&".repeat(5000));
        var text = JSON.readTree(notifier.render(configured(), 1, notice).body())
                .get("text")
                .asText();
        String shown = text.replaceAll("<[^>]+>", "").replace("&amp;", "&");

        assertThat(shown.length()).isLessThanOrEqualTo(4096);
        assertThat(text.replace("&amp;", "")).doesNotContain("&");
    }

    @Test
    void eachEventHasItsMark() {
        for (Event e : Event.values()) {
            String mark = TelegramNotifier.mark(e);
            assertThat(mark).endsWith(e.name());
            assertThat(mark)
                    .startsWith(
                            e.closes()
                                    ? "🟢"
                                    : (e == Event.FLAPPING || e == Event.CERTIFICATE || e == Event.DEGRADED)
                                            ? "🟠"
                                            : "🔴");
        }
    }

    @Test
    void theMessageIsPostedToTheBotsSendMessageMethodOnTheConfiguredServer() throws Exception {
        receiver.thenAnswer(new Answer(200, Map.of(), "{\"ok\": true, \"result\": {\"message_id\": 1}}"));
        var settings = notifier.configure(settingsFor(receiver.uri("/tg")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(200));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/tg/bot" + TOKEN + "/sendMessage");
        assertThat(request.body()).isEqualTo(m.body());
        assertThat(request.header("content-type")).startsWith("application/json");
    }

    @Test
    void aFloodWaitIsRetriedAfterTheSecondsItsParametersGive() throws Exception {
        Outcome outcome = sendAnswered(new Answer(
                429,
                Map.of("Content-Type", "application/json"),
                "{\"ok\": false, \"error_code\": 429, \"description\": \"Too Many Requests: retry after 7\","
                        + " \"parameters\": {\"retry_after\": 7}}"));

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(outcome.detail()).doesNotContain(TOKEN);
    }

    @Test
    void aRefusedTokenIsRejectedWithoutShowingIt() throws Exception {
        Outcome outcome = sendAnswered(
                new Answer(401, Map.of(), "{\"ok\": false, \"error_code\": 401, \"description\": \"Unauthorized\"}"));

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.REJECTED);
        assertThat(outcome.detail()).isEqualTo("HTTP 401").doesNotContain(TOKEN);
    }

    @Test
    void settingsNeverShowTheToken() throws Exception {
        var settings = notifier.configure(settingsFor(receiver.uri("/tg")));

        assertThat(settings.toString()).doesNotContain("plantedTelegramToken").contains("127.0.0.1");
    }

    @Test
    void badTokensAndChatsAreRejectedNamingTheField() {
        record Case(String key, Object value) {}
        for (Case c : new Case[] {
            new Case("bot_token", "no-colon-here-plantedTelegramToken"),
            new Case("bot_token", "123:short"),
            new Case("chat_id", "general"),
            new Case("chat_id", true),
            new Case("api_url", "ftp://example.com"),
            new Case("api_url", "https://user:pw@example.com"),
        }) {
            ObjectNode settings = validSettings();
            settings.set(c.key(), JSON.valueToTree(c.value()));
            var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(settings));
            assertThat(e).as("%s", c).isNotNull();
            assertThat(e.field()).as("%s", c).isEqualTo("settings." + c.key());
            assertThat(e.getMessage()).doesNotContain("plantedTelegramToken").doesNotContain("pw@");
        }
    }
}
