package dev.vantage.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextsTest {

    @ParameterizedTest(name = "{0} s reads {1}")
    @CsvSource({
        "0, 0 s",
        "59, 59 s",
        "60, 1 min",
        "250, 4 min",
        "3599, 59 min",
        "3600, 1 h",
        "7500, 2 h 5 min",
        "86400, 1 d",
        "273600, 3 d 4 h",
        "-5, 0 s"
    })
    void durationsReadInTheirLargestUnits(long seconds, String text) {
        assertThat(Texts.duration(Duration.ofSeconds(seconds))).isEqualTo(text);
    }

    @Test
    void datacentersReadAsSortedCodesAndUnknownIdsAsNumbers() {
        var texts = new Texts(Map.of(1, "VA", 2, "NY"));
        assertThat(texts.codes(List.of(1, 2, 7))).isEqualTo("#7, NY, VA");
    }
}
