package dev.vantage.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetTextTest {

    @ParameterizedTest(name = "{0} chars: {1}")
    @CsvSource({"0, 0", "1024, 1024", "1025, 1024", "204800, 1024"})
    void aTextIsKeptUpToTheLimitAndCutWithItsSizeBeyond(int length, int expected) {
        String cut = TargetText.cut("x".repeat(length));

        assertThat(cut).hasSize(expected);
        assertThat(cut.endsWith("… [cut, " + length + " bytes]")).isEqualTo(length > 1024);
    }

    @Test
    void cuttingACutTextChangesNothing() {
        String once = TargetText.cut("é".repeat(5000));

        assertThat(once).endsWith("… [cut, 10000 bytes]");
        assertThat(TargetText.cut(once)).isEqualTo(once);
    }

    @Test
    void aSurrogatePairIsNeverSplit() {
        String emoji = "\uD83D\uDE00"; // 2 chars, 4 UTF-8 bytes
        String cut = TargetText.cut(emoji.repeat(1000), 30);

        assertThat(cut).endsWith("… [cut, 4000 bytes]");
        String kept = cut.substring(0, cut.indexOf('…'));
        assertThat(kept.length() % 2).isZero();
        assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
    }

    @Test
    void headersAreCutEachAndInTotalAndTheDroppedOnesCounted() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Server", "s".repeat(100_000));
        for (int i = 0; i < 40; i++) {
            headers.put("X-" + i, "v".repeat(1000));
        }

        Map<String, String> kept = TargetText.headers(headers);

        assertThat(kept.get("Server")).hasSize(1024).endsWith("[cut, 100000 bytes]");
        int total = kept.entrySet().stream()
                .mapToInt(e -> e.getKey().length() + e.getValue().length())
                .sum();
        assertThat(total).isLessThanOrEqualTo(TargetText.MAX_HEADER_CHARS + 64);
        assertThat(kept.get(TargetText.DROPPED_HEADERS)).matches("\\[cut, \\d+ more headers]");
    }
}
