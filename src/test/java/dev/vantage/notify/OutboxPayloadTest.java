package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutboxPayloadTest {
    private static final Instant AT = Instant.parse("2030-01-02T03:04:05.123Z");

    @Test
    void aNoticeReadsBackAsWritten() {
        Notice notice = OutboxSeed.notice(42, Event.FIRING, AT);
        String json = OutboxPayload.write(notice);

        assertThat(json).contains("\"event\":\"firing\"").contains("\"at\":\"2030-01-02T03:04:05.123Z\"");
        assertThat(OutboxPayload.read(json, Event.FIRING, "vantage-incident-42", 42))
                .isEqualTo(notice);
    }

    @Test
    void aCertificateNoticeReadsBackAsWritten() {
        Notice notice = Notices.certificate();
        String json = OutboxPayload.write(notice);

        assertThat(json).contains("\"event\":\"certificate\"").contains("\"kind\":\"certificate\"");
        assertThat(OutboxPayload.read(json, Event.CERTIFICATE, notice.dedupKey(), 43))
                .isEqualTo(notice);
    }

    @Test
    void theRowsColumnsWinOverThePayload() {
        String json = OutboxPayload.write(OutboxSeed.notice(42, Event.FIRING, AT));

        Notice read = OutboxPayload.read(json, Event.REMINDER, "key-from-row", 43);

        assertThat(read.event()).isEqualTo(Event.REMINDER);
        assertThat(read.dedupKey()).isEqualTo("key-from-row");
        assertThat(read.incidentId()).isEqualTo(43);
    }

    @Test
    void unknownFieldsAndMissingOptionalOnesAreAccepted() {
        String json = "{\"event\":\"lost\",\"kind\":\"datacenter\",\"summary\":\"VA is LOST\",\"future\":1}";

        Notice read = OutboxPayload.read(json, Event.LOST, "vantage-incident-1", 1);

        assertThat(read.kind()).isEqualTo("datacenter");
        assertThat(read.datacenters()).isEmpty();
        assertThat(read.monitorId()).isNull();
    }

    @Test
    void aPayloadThatIsNotANoticeIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> OutboxPayload.read("[\"secret-token\"]", Event.FIRING, "k", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret-token");
        assertThatThrownBy(() -> OutboxPayload.read("{\"summary\":\"x\"}", Event.FIRING, "k", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("payload is not a notice");
    }
}
