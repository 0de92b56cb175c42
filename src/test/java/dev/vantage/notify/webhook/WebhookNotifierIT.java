package dev.vantage.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.HttpNotifierContractTest;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookNotifierIT extends HttpNotifierContractTest<WebhookSettings, WebhookMessage> {
    /** 32 random bytes, base64: a valid Standard Webhooks secret. */
    static final String SECRET = "whsec_c2VjcmV0LWtleS1mb3ItdmFudGFnZS10ZXN0cy0wMTIzNDU2Nzg=";

    static final String API_KEY = "planted-api-key-Zq81";

    private final WebhookNotifier notifier = new WebhookNotifier(CONTEXT);

    @Override
    protected Notifier<WebhookSettings, WebhookMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return settingsFor(URI.create("https://hooks.example.com/in/planted-url-token-Xy7"));
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        ObjectNode s = JSON.createObjectNode().put("url", url.toString()).put("secret", SECRET);
        s.putObject("headers").put("X-Api-Key", API_KEY);
        return s;
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of("planted-url-token-Xy7", SECRET.substring("whsec_".length()), API_KEY);
    }

    @Test
    void theSignatureMatchesTheStandardWebhooksReferenceVector() throws Exception {
        // The test vector of the Standard Webhooks reference libraries.
        assertThat(WebhookSignature.sign(
                        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        "msg_p5jXN8AQM9LWM0D4loKWxJek",
                        1614265330,
                        "{\"test\": 2432232314}"))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aFiringNoticeRendersAsAStandardWebhookPayload() throws Exception {
        WebhookMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.id()).isEqualTo("vantage-notification-17");
        assertThat(m.dedupKey()).isEqualTo("vantage-incident-42");
        assertThat(m.body())
                .isEqualTo(
                        compact(
                                """
                {"type": "incident.firing",
                 "timestamp": "2025-03-01T12:00:30Z",
                 "data": {
                   "event": "firing",
                   "dedup_key": "vantage-incident-42",
                   "incident_id": 42,
                   "kind": "monitor",
                   "scope": "global",
                   "monitor_id": 7,
                   "monitor_name": "checkout",
                   "target": "https://shop.example.com/checkout",
                   "datacenters": ["NY", "VA"],
                   "state": "DOWN",
                   "error_type": "HTTP_STATUS",
                   "error_message": "[STATUS] (503) == 200",
                   "opened_at": "2025-03-01T12:00:00Z",
                   "resolved_at": null,
                   "at": "2025-03-01T12:00:30Z",
                   "summary": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                   "suppressed": []}}
                """));
    }

    @Test
    void aResolvedNoticeRendersAsAStandardWebhookPayload() throws Exception {
        WebhookMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.id()).isEqualTo("vantage-notification-18");
        assertThat(m.body())
                .isEqualTo(
                        compact(
                                """
                {"type": "incident.resolved",
                 "timestamp": "2025-03-01T12:10:00Z",
                 "data": {
                   "event": "resolved",
                   "dedup_key": "vantage-incident-42",
                   "incident_id": 42,
                   "kind": "monitor",
                   "scope": "global",
                   "monitor_id": 7,
                   "monitor_name": "checkout",
                   "target": "https://shop.example.com/checkout",
                   "datacenters": ["NY", "VA"],
                   "state": "UP",
                   "error_type": "HTTP_STATUS",
                   "error_message": "[STATUS] (503) == 200",
                   "opened_at": "2025-03-01T12:00:00Z",
                   "resolved_at": "2025-03-01T12:10:00Z",
                   "at": "2025-03-01T12:10:00Z",
                   "summary": "checkout is UP again after 10 min",
                   "suppressed": []}}
                """));
    }

    @Test
    void aDeliveryCarriesTheStandardHeadersAndAValidSignature() throws Exception {
        receiver.thenAnswer(Answer.status(204));
        WebhookSettings settings = notifier.configure(settingsFor(receiver.uri("/in")));
        WebhookMessage message = notifier.render(settings, 17, Notices.firing());
        long before = Instant.now().getEpochSecond();

        Outcome outcome = notifier.send(settings, message, Instant.now().plusSeconds(5));

        assertThat(outcome).isEqualTo(Outcome.delivered(204));
        var request = receiver.requests().getLast();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/in");
        assertThat(request.body()).isEqualTo(message.body());
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(request.header("webhook-id")).isEqualTo("vantage-notification-17");
        assertThat(request.header("vantage-dedup-key")).isEqualTo("vantage-incident-42");
        assertThat(request.header("x-api-key")).isEqualTo(API_KEY);
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertThat(timestamp).isBetween(before, Instant.now().getEpochSecond());
        assertThat(request.header("webhook-signature"))
                .isEqualTo(hmac(SECRET, "vantage-notification-17." + timestamp + "." + request.body()));
    }

    @Test
    void withoutASecretTheRequestIsUnsigned() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        WebhookSettings settings = notifier.configure(
                JSON.createObjectNode().put("url", receiver.uri("/plain").toString()));

        notifier.send(
                settings,
                notifier.render(settings, 5, Notices.firing()),
                Instant.now().plusSeconds(5));

        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/plain");
        assertThat(request.header("webhook-id")).isEqualTo("vantage-notification-5");
        assertThat(request.header("webhook-signature")).isNull();
    }

    @Test
    void secretsThatAreNotStandardWebhooksSecretsAreRejected() {
        for (String secret : new String[] {
            "c2VjcmV0LWtleS1mb3ItdmFudGFnZS10ZXN0cy0wMTIzNDU2Nzg=", // no whsec_ prefix
            "whsec_not base64!",
            "whsec_c2hvcnQ=", // 5 bytes
        }) {
            var e = catchThrowableOfType(
                    InvalidChannelException.class,
                    () -> notifier.configure(validSettings().put("secret", secret)));
            assertThat(e).as(secret).isNotNull();
            assertThat(e.field()).isEqualTo("settings.secret");
            assertThat(e.getMessage()).doesNotContain(secret);
        }
    }

    @Test
    void headersThatVantageSetsCannotBeOverridden() {
        ObjectNode settings = validSettings();
        settings.putObject("headers").put("Webhook-Signature", "v1,forged");
        var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(settings));
        assertThat(e.field()).isEqualTo("settings.headers");
    }

    private static String compact(String json) throws Exception {
        return JSON.writeValueAsString(JSON.readTree(json));
    }

    /** Standard Webhooks v1, computed here without the production code. */
    private static String hmac(String whsec, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(whsec.substring(6)), "HmacSHA256"));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }
}
