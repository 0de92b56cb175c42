package dev.vantage.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTest {
    private static final String FILE =
            """
            schedules:
              - name: fast
                interval: 30s
            monitors:
              - name: shop
                url: http://127.0.0.1:8080/
                schedule: fast
                datacenters: [VA]
                timeout_ms: 2000
            """;

    private static List<Item> items(String yaml) {
        var parsed = YamlReader.read(Map.of("m.yml", yaml), name -> null);
        assertThat(parsed.problems()).isEmpty();
        return parsed.items();
    }

    /** The rows the file describes, as ApplyDao would read them after applying it. */
    private static Current applied(Map<String, Object> monitorOverrides, Map<String, Current.Tracked> trackedMonitors) {
        var schedule = new LinkedHashMap<String, Object>(items(FILE).get(0).values());
        var monitor = new LinkedHashMap<String, Object>(items(FILE).get(1).values());
        monitor.put("schedule", 7);
        monitor.put("datacenters", List.of(1));
        monitor.put("push_token", null);
        monitor.putAll(monitorOverrides);
        return new Current(
                Map.of(
                        Kind.SCHEDULE, List.of(new Current.Row(Kind.SCHEDULE, 7, "fast", schedule)),
                        Kind.MONITOR, List.of(new Current.Row(Kind.MONITOR, 3, "shop", monitor))),
                Map.of("VA", 1, "NY", 2),
                Map.of(Kind.MONITOR, trackedMonitors));
    }

    @Test
    void theSameConfigurationAgainIsNoChange() {
        Plan plan = Plan.of(items(FILE), applied(Map.of(), Map.of()), false);

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).isEmpty();
    }

    @Test
    void aChangedFieldIsShownOldToNewAndOnlyIt() {
        Plan plan = Plan.of(
                items(FILE), applied(Map.of("timeout_ms", 1000, "datacenters", List.of(1, 2)), Map.of()), false);

        assertThat(DiffText.lines(plan, Map.of(1, "VA", 2, "NY")))
                .containsExactly(
                        "update monitor 'shop' (id 3)",
                        "    datacenters: [VA, NY] → [VA]",
                        "    timeout_ms: 1000 → 2000");
    }

    @Test
    void objectsMissingFromTheDatabaseAreCreatedAndReferencesToThemResolve() {
        Current empty = new Current(Map.of(), Map.of("VA", 1), Map.of());

        Plan plan = Plan.of(items(FILE), empty, false);

        assertThat(DiffText.lines(plan, Map.of())).containsExactly("create schedule 'fast'", "create monitor 'shop'");
        assertThat(plan.changes().get(1).values().get("schedule"))
                .isEqualTo(plan.changes().get(0).rowId());
    }

    @Test
    void pruneDeletesOnlyWhatApplyCreated() {
        String withoutMonitor = FILE.substring(0, FILE.indexOf("monitors:"));
        Current created = applied(Map.of(), Map.of("shop", new Current.Tracked(3, true)));
        Current adopted = applied(Map.of(), Map.of("shop", new Current.Tracked(3, false)));

        assertThat(DiffText.lines(Plan.of(items(withoutMonitor), created, true), Map.of()))
                .containsExactly("delete monitor 'shop' (id 3)");
        assertThat(Plan.of(items(withoutMonitor), created, false).changes()).isEmpty();
        Plan keptAdopted = Plan.of(items(withoutMonitor), adopted, true);
        assertThat(keptAdopted.changes()).isEmpty();
        assertThat(keptAdopted.leftAlone()).isEqualTo(1);
    }

    @Test
    void aRowApplyCreatedKeepsThatOriginWhenFoundUnderAnotherName() {
        Current renamedInSql = applied(Map.of(), Map.of("old name", new Current.Tracked(3, true)));

        Plan plan = Plan.of(items(FILE), renamedInSql, false);

        assertThat(plan.matches())
                .filteredOn(m -> m.item().kind() == Kind.MONITOR)
                .singleElement()
                .satisfies(m -> assertThat(m.created()).isTrue());
    }

    @Test
    void anUnknownReferenceIsAProblemAtItsLine() {
        String file = FILE.replace("schedule: fast", "schedule: slow").replace("[VA]", "[XX]");

        Plan plan = Plan.of(items(file), new Current(Map.of(), Map.of("VA", 1), Map.of()), false);

        assertThat(plan.problems())
                .extracting(Problem::toString)
                .containsExactly(
                        "m.yml:7: monitors[0].schedule: no schedule named 'slow' in the files or the database",
                        "m.yml:8: monitors[0].datacenters: no datacenter with code 'XX' (datacenters are made in SQL,"
                                + " not by apply; known: VA)");
    }

    @Test
    void secretsAreNeverShownInTheDiff() {
        String file = FILE.replace("timeout_ms: 2000", "timeout_ms: 2000\n    headers: {Authorization: new-secret}");
        Current old = applied(
                Map.of(
                        "headers",
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .createObjectNode()
                                .put("Authorization", "old-secret")),
                Map.of());

        var lines = DiffText.lines(Plan.of(items(file), old, false), Map.of());

        assertThat(lines).containsExactly("update monitor 'shop' (id 3)", "    headers: changed (value hidden)");
    }
}
