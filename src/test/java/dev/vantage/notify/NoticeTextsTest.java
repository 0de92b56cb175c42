package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a notice carries of a target's text, whoever wrote the outbox row. */
class NoticeTextsTest {

    @Test
    void anOutboxRowWithAHugeErrorMessageMakesASmallNotice() {
        String statusLine = "malformed status line \"" + "A".repeat(200 * 1024) + "\"";
        var row = NoticeJson.toJson(Notices.with(Notices.firing(), Event.FIRING, "checkout is DOWN: " + statusLine));
        row.put("error_message", statusLine);
        row.put("error_type", "T".repeat(100 * 1024));

        Notice notice = NoticeJson.fromJson(row);

        assertThat(notice.errorMessage()).hasSizeLessThanOrEqualTo(1024).endsWith("… [cut, 204824 bytes]");
        assertThat(notice.errorType()).hasSizeLessThanOrEqualTo(64);
        assertThat(notice.summary()).hasSizeLessThanOrEqualTo(2048);
        assertThat(NoticeJson.write(NoticeJson.toJson(notice))).hasSizeLessThan(4 * 1024);
    }
}
