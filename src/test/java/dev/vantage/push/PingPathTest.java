package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.heartbeat.BeatKind;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PingPathTest {
    private static final String TOKEN = "Abc-def_0123456789xyzXYZ";
    private static final String RID = "0f5bc9a2-5e0a-4c1f-9a83-5b4c1f0a2e7d";

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            nullValues = "-",
            value = {
                "/ping/<t>,              -,           SUCCESS, -,   -",
                "/ping/<t>/,             -,           SUCCESS, -,   -",
                "/ping/<t>/start,        -,           START,   -,   -",
                "/ping/<t>/START/,       -,           START,   -,   -",
                "/ping/<t>/fail,         -,           FAIL,    -,   -",
                "/ping/<t>/log,          -,           LOG,     -,   -",
                "/ping/<t>/0,            -,           SUCCESS, 0,   -",
                "/ping/<t>/3,            -,           FAIL,    3,   -",
                "/ping/<t>/255,          -,           FAIL,    255, -",
                "/ping/<t>/start,        rid=R,       START,   -,   R",
                "/ping/<t>,              a=1&rid=R&b, SUCCESS, -,   R",
                "/ping/<t>/1,            x=y,         FAIL,    1,   -",
            })
    void theFormsHealthchecksUsersPasteAreUnderstood(
            String path, String query, BeatKind kind, Integer exitStatus, String rid) {
        var parsed = PingPath.parse(path.replace("<t>", TOKEN), query == null ? null : query.replace("R", RID));

        assertThat(parsed)
                .isEqualTo(new PingPath.Ping(
                        TOKEN, kind, exitStatus, rid == null ? null : UUID.fromString(rid.replace("R", RID))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            nullValues = "-",
            delimiter = '|',
            value = {
                "/ping/<t>/256       | -           | an exit status is from 0 to 255",
                "/ping/<t>/1000      | -           | " + PingPath.USAGE,
                "/ping/<t>/-1        | -           | " + PingPath.USAGE,
                "/ping/<t>/success   | -           | " + PingPath.USAGE,
                "/ping/<t>/start/now | -           | " + PingPath.USAGE,
                "/ping/<t>//         | -           | " + PingPath.USAGE,
                "/ping/<t>           | rid=12      | rid must be a UUID such as 0f5bc9a2-5e0a-4c1f-9a83-5b4c1f0a2e7d",
                "/ping/<t>           | rid=        | rid must be a UUID such as 0f5bc9a2-5e0a-4c1f-9a83-5b4c1f0a2e7d",
                "/ping/short/256   | -           | an exit status is from 0 to 255",
            })
    void aWrongShapeIsMalformedWhateverTheTokenAndNeverQuotesIt(String path, String query, String reason) {
        var parsed = PingPath.parse(path.replace("<t>", TOKEN), query);

        assertThat(parsed).isEqualTo(new PingPath.Malformed(reason));
        assertThat(reason).doesNotContain(TOKEN);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/ping/",
        "/ping/too-short",
        "/ping/has.dots.0123456789abcdefghij",
        "/ping/%41bc-def_0123456789xyzXYZ/start"
    })
    void whatCannotBeATokenIsNotLookedUp(String path) {
        assertThat(PingPath.parse(path, null)).isEqualTo(new PingPath.NotAToken());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/ping/<t>/start,rid=R"})
    void aPingNeverShowsItsToken(String path, String query) {
        assertThat(PingPath.parse(path.replace("<t>", TOKEN), query.replace("R", RID))
                        .toString())
                .doesNotContain(TOKEN)
                .contains("START");
    }
}
