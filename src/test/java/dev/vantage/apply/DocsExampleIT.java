package dev.vantage.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The complete file shown in docs/monitors-as-code.md applies as it stands, then applies again as no change. */
@ExtendWith(PostgresExtension.class)
class DocsExampleIT {
    private static final Map<String, String> ENV =
            Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXX", "SHOP_TOKEN", "t0k3n");

    private static String example() throws IOException {
        String doc = Files.readString(Path.of("docs/monitors-as-code.md"));
        int section = doc.indexOf("## A complete file");
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        return doc.substring(start, doc.indexOf("```", start));
    }

    @Test
    void theCompleteFileOfTheDocsApplies(TestDatabase db) throws IOException {
        db.execute("INSERT INTO datacenters (code) VALUES ('VA'), ('NY'), ('FR')");
        Apply files = Apply.read(Map.of("monitors.yml", example()), ENV::get);

        Apply.Report first = db.jdbi().inTransaction(h -> files.run(h, false, false));
        Apply.Report second = db.jdbi().inTransaction(h -> files.run(h, false, false));

        assertThat(files.problems()).isEmpty();
        assertThat(first.problems()).isEmpty();
        assertThat(first.summary()).isEqualTo("6 to create, 0 to update, 0 to delete");
        assertThat(second.summary()).isEqualTo("no changes");
        assertThat(db.count("SELECT count(*) FROM monitor_dependencies")).isEqualTo(1);
    }
}
