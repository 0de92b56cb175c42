package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusHandlersTest {

    @ParameterizedTest(name = "Accept-Encoding: {0} takes gzip: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "gzip | true",
                "gzip, deflate, br, zstd | true",
                "br;q=1.0, GZIP;q=0.5 | true",
                "* | true",
                "identity | false",
                "deflate, br | false",
                "gzip;q=0 | false",
                "gzip; q=0.000 | false",
                "gzip;q=0, *;q=0.1 | true",
            })
    void aClientTakesGzipWhenItNamesItOrAStarWithAQualityAboveZero(String header, boolean gzip) {
        assertThat(StatusHandlers.acceptsGzip(List.of(header))).isEqualTo(gzip);
    }

    @Test
    void noHeaderMeansNoCompression() {
        assertThat(StatusHandlers.acceptsGzip(null)).isFalse();
    }
}
