package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BadgeSvgTest {

    @ParameterizedTest(name = "{0} reads {2}")
    @CsvSource({
        "UP, true, up, #4c1",
        "DEGRADED, true, degraded, #dfb317",
        "PARTIAL, true, partial, #fe7d37",
        "DOWN, true, down, #e05d44",
        "MAINTENANCE, true, maintenance, #007ec6",
        "UNKNOWN, true, unknown, #9f9f9f",
        ", true, unknown, #9f9f9f",
        "UP, false, disabled, #9f9f9f",
    })
    void aStateReadsAsAWordOnItsColour(String state, boolean enabled, String text, String colour) {
        assertThat(BadgeSvg.state(state, enabled)).isEqualTo(new BadgeSvg.Value(text, colour));
    }

    @ParameterizedTest(name = "{0} % reads {1}")
    @CsvSource({
        "100.0, 100%, #4c1",
        "99.999, 99.99%, #4c1",
        "99.95, 99.95%, #4c1",
        "99.5, 99.50%, #97ca00",
        "97.0, 97.00%, #dfb317",
        "93.333333, 93.33%, #fe7d37",
        "12.5, 12.50%, #e05d44",
    })
    void uptimeIsRoundedDownAndColouredByThreshold(double percent, String text, String colour) {
        assertThat(BadgeSvg.uptime(percent)).isEqualTo(new BadgeSvg.Value(text, colour));
    }

    @Test
    void noProbeReadsNoData() {
        assertThat(BadgeSvg.uptime(null)).isEqualTo(new BadgeSvg.Value("no data", BadgeSvg.GREY));
    }

    @Test
    void aBadgeIsTwoBoxesWhoseWidthsFollowTheirText() {
        String svg = BadgeSvg.render("API", BadgeSvg.state("UP", true));

        int label = BadgeSvg.width("API") + 12;
        int value = BadgeSvg.width("up") + 12;
        assertThat(svg)
                .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + (label + value) + "\" height=\"20\"")
                .contains("role=\"img\" aria-label=\"API: up\"><title>API: up</title>")
                .contains("<rect width=\"" + label + "\" height=\"20\" fill=\"#555\"/>")
                .contains("<rect x=\"" + label + "\" width=\"" + value + "\" height=\"20\" fill=\"#4c1\"/>")
                .contains("<text x=\"" + (label / 2.0) + "\" y=\"14\">API</text>")
                .endsWith("</svg>\n");
        assertThat(BadgeSvg.width("WWWW")).isGreaterThan(BadgeSvg.width("iiii"));
        assertThat(BadgeSvg.width("checkout-api")).isBetween(60, 90);
    }

    @Test
    void aHostileLabelIsEscapedAndALongOneCut() {
        String svg = BadgeSvg.render("</text><script>x()</script>&\u0007", BadgeSvg.uptime(99.0));
        String long_ = BadgeSvg.render("n".repeat(500), BadgeSvg.uptime(99.0));

        assertThat(svg)
                .contains("&lt;/text&gt;&lt;script&gt;x()&lt;/script&gt;&amp;")
                .doesNotContain("<script", "\u0007");
        assertThat(long_).doesNotContain("n".repeat(BadgeSvg.LABEL_CHARS + 1));
    }
}
