package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "url: is not a valid URL with a host: 'https://u:pw@[x/p?token=abc'|https://u:pw@[x/p?token=abc"
                        + "|url: is not a valid URL with a host: 'https://***@[x/p?***'",
                "url: is not an absolute URL: 'example.org/a'|example.org/a|url: is not an absolute URL: 'example.org/a'",
                "headers: name 'Bad Name' is not a valid header name|https://a.example/|"
                        + "headers: name 'Bad Name' is not a valid header name",
            })
    void aMonitorReasonKeepsItsTextButNotTheUrlsCredentials(String message, String url, String expected) {
        assertThat(Redaction.monitorReason(message, url, null, null)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "body: oops Bearer xyz-123 leaked|{\"Authorization\": \"Bearer xyz-123\"}|body: oops *** leaked",
                "headers: not valid JSON|{not json|headers: not valid JSON",
            })
    void headerValuesAreMaskedWherever(String message, String headers, String expected) {
        assertThat(Redaction.monitorReason(message, null, headers, null)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "settings.url: 'https://hooks.example/T0KEN' is wrong|{\"url\": \"https://hooks.example/T0KEN\"}"
                        + "|settings.url: '***' is wrong",
                "settings.token: p4ss and p4ssword|{\"a\": {\"b\": [\"p4ss\", \"p4ssword\"]}}|settings.token: *** and ***",
                "type: unknown notifier type 'x'|{\"to\": \"x\"}|type: unknown notifier type 'x'",
            })
    void everyTextValueOfAChannelsSettingsIsMasked(String message, String settings, String expected) {
        assertThat(Redaction.channelReason(message, settings)).isEqualTo(expected);
    }
}
