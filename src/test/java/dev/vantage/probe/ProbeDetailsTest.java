package dev.vantage.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeDetailsTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void detailsAreADeepImmutableCopyInTheirOrder() {
        var answers = new ArrayList<Object>(List.of("192.0.2.1"));
        var details = new LinkedHashMap<String, Object>();
        details.put("z", 1);
        details.put("answers", answers);
        details.put("a", Map.of("ok", true));

        var result = ProbeResult.at(AT).details(details).success();
        answers.add("192.0.2.2");
        details.put("late", "x");

        assertThat(result.details()).containsOnlyKeys("z", "answers", "a");
        assertThat(result.details().keySet()).containsExactly("z", "answers", "a");
        assertThat(result.details().get("answers")).isEqualTo(List.of("192.0.2.1"));
        assertThatThrownBy(() -> result.details().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        var list = (List<Object>) result.details().get("answers");
        assertThatThrownBy(() -> list.add("y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aResultWithoutDetailsHasAnEmptyMapStoredAsNull() {
        assertThat(ProbeResult.success(AT, PhaseTimings.NONE).details()).isEmpty();
        assertThat(ProbeDetails.json(Map.of())).isNull();
    }

    @Test
    void jsonKeepsOrderAndEscapesAndDropsNul() {
        var details = new LinkedHashMap<String, Object>();
        details.put("s", "a\"b\\c\nd\u0000e\u0001");
        details.put("n", List.of(1, 2L, 0.5, new BigDecimal("1E+3"), true));
        details.put("m", Map.of());

        assertThat(ProbeDetails.json(details))
                .isEqualTo("{\"s\":\"a\\\"b\\\\c\\nde\\u0001\",\"n\":[1,2,0.5,1000,true],\"m\":{}}");
    }

    @Test
    void aLongTextIsCutLikeEveryTextATargetControls() {
        var result =
                ProbeResult.at(AT).details(Map.of("txt", "x".repeat(10_000))).success();

        assertThat((String) result.details().get("txt"))
                .hasSizeLessThanOrEqualTo(TargetText.MAX_CHARS)
                .endsWith("[cut, 10000 bytes]");
    }

    @Test
    void aValueThatIsNoJsonFailsNamingItsPath() {
        var withNull = new HashMap<String, Object>();
        withNull.put("rcode", null);
        assertThatThrownBy(() -> ProbeResult.at(AT).details(withNull).success())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("details.rcode is null (leave the key out instead)");
        assertThatThrownBy(() -> ProbeResult.at(AT)
                        .details(Map.of("answers", List.of("a", Duration.ZERO)))
                        .success())
                .hasMessage("details.answers[1] is a java.time.Duration, not a JSON value (string, number, boolean,"
                        + " list or map)");
        assertThatThrownBy(() -> ProbeResult.at(AT)
                        .details(Map.of("rtt", Map.of("avg", Double.NaN)))
                        .success())
                .hasMessage("details.rtt.avg is NaN, which JSON cannot hold");
        assertThatThrownBy(() ->
                        ProbeResult.at(AT).details(Map.of("m", Map.of(1, "x"))).success())
                .hasMessage("details.m has a key that is not a string: 1");
    }

    @Test
    void namedFactoriesSayTheOutcome() {
        var ok = ProbeResult.success(AT, PhaseTimings.NONE);
        var failed = ProbeResult.failure(AT, ErrorType.DNS, "no such name", PhaseTimings.NONE);

        assertThat(ok.success()).isTrue();
        assertThat(ok.errorType()).isNull();
        assertThat(failed.success()).isFalse();
        assertThat(failed.errorType()).isEqualTo(ErrorType.DNS);
        assertThat(failed.errorMessage()).isEqualTo("no such name");
        assertThatThrownBy(() -> ProbeResult.at(AT).failure(null, "x")).isInstanceOf(NullPointerException.class);
    }
}
