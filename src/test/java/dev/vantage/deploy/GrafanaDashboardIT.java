package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps deploy/grafana/vantage.json honest: every panel query and every variable query, with Grafana's macros and
 * variables replaced as the PostgreSQL data source would, runs against a migrated database with heartbeats and
 * rollups, and returns rows.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrafanaDashboardIT {
    private static final Path DASHBOARD = Path.of("deploy", "grafana", "vantage.json");
    private static final String FROM = "(now() - interval '6 hours')";
    private static final String TO = "now()";

    private JsonNode dashboard;
    private String monitors;
    private String datacenters;

    @BeforeAll
    void seed(TestDatabase db) throws IOException {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('LON', 'London')");
        db.execute("INSERT INTO schedules (name, interval) VALUES ('every minute', 60)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id)"
                + " SELECT 'api ' || n, 'https://example.com/' || n, (SELECT min(id) FROM schedules)"
                + " FROM generate_series(1, 2) n");
        // Three hours of one probe a minute per monitor and datacenter; every 7th times out, every 11th is refused.
        db.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success, error_type,
                                            error_message, response_time_ms, dns_lookup_ms, tcp_connect_ms,
                                            tls_handshake_ms, time_to_first_byte_ms, server_processing_ms,
                                            content_transfer_ms)
                SELECT m.id, d.id, t, t, k % 7 <> 0 AND k % 11 <> 0,
                       CASE WHEN k % 7 = 0 THEN 'TIMEOUT' WHEN k % 11 = 0 THEN 'CONNECT' END,
                       CASE WHEN k % 7 = 0 THEN 'timed out after 10 s' WHEN k % 11 = 0 THEN 'connection refused' END,
                       40 + k % 13, 1.5, 3, 9, 30, 16, 4
                FROM api_monitors m CROSS JOIN datacenters d
                CROSS JOIN LATERAL generate_series(0, 179) k
                CROSS JOIN LATERAL (SELECT date_trunc('minute', now()) - k * interval '1 minute' AS t) slot
                """);
        db.execute("SELECT vantage_rollup_heartbeats(now() - interval '4 hours', now() + interval '1 hour')");
        monitors = ids(db, "api_monitors");
        datacenters = ids(db, "datacenters");
    }

    @Test
    void everyPanelQueryRunsAndReturnsRows(TestDatabase db) {
        Map<String, String> queries = panelQueries(dashboard.path("panels"), new LinkedHashMap<>());

        assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
        queries.forEach((panel, sql) -> {
            String runnable = substitute(sql);
            assertThat(runnable).as(panel).doesNotContain("$");
            assertThat(rows(db, runnable)).as(panel + ":\n" + runnable).isPositive();
        });
    }

    @Test
    void everyVariableQueryRunsAndReturnsRows(TestDatabase db) {
        var variables = new ArrayList<String>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                String sql = query.isObject() ? query.path("rawSql").asText() : query.asText();
                variables.add(variable.path("name").asText());
                assertThat(rows(db, substitute(sql)))
                        .as(variable.path("name").asText())
                        .isEqualTo(2);
            }
        }

        assertThat(variables).containsExactly("monitor", "datacenter");
    }

    @Test
    void theDataSourceIsAnImportInputOfThePostgresPlugin() {
        JsonNode input = dashboard.path("__inputs").path(0);

        assertThat(input.path("name").asText()).isEqualTo("DS_POSTGRES");
        assertThat(input.path("pluginId").asText()).isEqualTo("grafana-postgresql-datasource");
        List<JsonNode> sources = dashboard.findValues("datasource");
        assertThat(sources)
                .isNotEmpty()
                .allSatisfy(ds -> assertThat(ds.path("uid").asText()).isEqualTo("${DS_POSTGRES}"));
    }

    /** The README's examples of the same data, on the same database: they follow the schema too. */
    @Test
    void theReadmeQueriesOfTheDataLifecycleRun(TestDatabase db) throws IOException {
        String readme = Files.readString(Path.of("docs", "operations.md"));
        int start = readme.indexOf("## Data lifecycle");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        var statements = new ArrayList<String>();
        Matcher block = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (block.find()) {
            for (String statement : block.group(1).split(";")) {
                if (!statement.replaceAll("--[^\n]*", "").isBlank()) {
                    statements.add(statement.strip());
                }
            }
        }

        assertThat(statements).hasSizeGreaterThanOrEqualTo(7);
        for (String sql : statements) {
            assertThat(rows(db, sql)).as(sql).isNotNegative();
        }
    }

    /** Panel title (with the target's refId) to rawSql, rows' nested panels included. */
    private static Map<String, String> panelQueries(JsonNode panels, Map<String, String> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                into.put(
                        panel.path("title").asText() + " "
                                + target.path("refId").asText(),
                        target.path("rawSql").asText());
            }
            panelQueries(panel.path("panels"), into);
        }
        return into;
    }

    /** What Grafana's PostgreSQL data source does to a query, for a 6-hour range, a 1-minute interval, all values. */
    private String substitute(String sql) {
        String s = replace(sql, "\\$__timeGroupAlias\\(([^,()]+),[^)]*\\)", m -> timeGroup(m.group(1)) + " AS time");
        s = replace(s, "\\$__timeGroup\\(([^,()]+),[^)]*\\)", m -> timeGroup(m.group(1)));
        s = replace(s, "\\$__timeFilter\\(([^()]+)\\)", m -> m.group(1).strip() + " BETWEEN " + FROM + " AND " + TO);
        s = s.replace("$__timeFrom()", FROM).replace("$__timeTo()", TO).replace("$__interval", "'1m'");
        return s.replace("${monitor}", monitors)
                .replace("$monitor", monitors)
                .replace("${datacenter}", datacenters)
                .replace("$datacenter", datacenters);
    }

    private static String timeGroup(String column) {
        return "date_bin('1 minute', " + column.strip() + ", timestamptz '2000-01-01 00:00:00+00')";
    }

    private static String replace(String s, String regex, java.util.function.Function<Matcher, String> by) {
        return Pattern.compile(regex).matcher(s).replaceAll(m -> Matcher.quoteReplacement(by.apply((Matcher) m)));
    }

    private static long rows(TestDatabase db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapToMap().list().size());
    }

    private static String ids(TestDatabase db, String table) {
        List<String> ids = db.jdbi().withHandle(h -> h.createQuery("SELECT id::text FROM " + table + " ORDER BY id")
                .mapTo(String.class)
                .list());
        return String.join(", ", ids);
    }
}
