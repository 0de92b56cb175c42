package dev.vantage.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Meters;
import dev.vantage.heartbeat.HeartbeatMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeterConventionsTest {

    @Test
    void everyMeterNameOfVantageHasHelpText() throws IllegalAccessException {
        var names = new ArrayList<String>();
        for (Class<?> holder : List.of(Meters.class, HeartbeatMeters.class)) {
            for (var field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == String.class
                        && !field.getName().equals("PREFIX")) {
                    names.add((String) field.get(null));
                }
            }
        }

        assertThat(names).hasSizeGreaterThan(50);
        assertThat(names)
                .allSatisfy(name ->
                        assertThat(MeterConventions.HELP).as("HELP of %s", name).containsKey(name));
    }

    @Test
    void aMeterWithoutDescriptionGetsItsHelpAndABuilderDescriptionWins() {
        var registry = registry();
        Counter.builder(Meters.LOOP_ERRORS).tag("loop", "x").register(registry);
        Counter.builder(Meters.CONFIG_RELOADS).description("its own words").register(registry);

        String text = registry.scrape();

        assertThat(text)
                .contains("# HELP vantage_loop_errors_total " + MeterConventions.HELP.get(Meters.LOOP_ERRORS))
                .contains("# HELP vantage_config_reloads_total its own words");
    }

    @Test
    void timersArePublishedAsFixedBucketHistogramsNeverAsPercentiles() {
        var registry = registry();
        Timer.builder(Meters.EVALUATION_ROUNDS)
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofMillis(30));
        Timer.builder(Meters.NOTIFICATION_LATENCY)
                .tag("type", "webhook")
                .register(registry)
                .record(Duration.ofSeconds(90));
        Timer.builder(Meters.PROBE_PHASES)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100))
                .register(registry)
                .record(Duration.ofMillis(50));

        String text = registry.scrape();

        assertThat(text).doesNotContain("quantile=").contains("# TYPE vantage_evaluate_rounds_seconds histogram");
        assertThat(lines(text, "vantage_evaluate_rounds_seconds_bucket")).isEqualTo(15);
        assertThat(text).contains("vantage_evaluate_rounds_seconds_bucket{le=\"0.05\"} 1");
        assertThat(lines(text, "vantage_notifications_latency_seconds_bucket")).isEqualTo(11);
        assertThat(text).contains("vantage_notifications_latency_seconds_bucket{type=\"webhook\",le=\"300.0\"} 1");
        assertThat(lines(text, "vantage_probe_phase_seconds_bucket"))
                .as("a meter's own buckets are kept")
                .isEqualTo(3);
    }

    @Test
    void theJvmSeriesFollowPrometheusNaming() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var jvm = JvmMeters.bind(registry)) {
            String text = registry.scrape();

            assertThat(text)
                    .contains("# TYPE process_cpu_seconds_total counter", "# TYPE system_cpus gauge")
                    .contains("# TYPE vantage_build_info gauge")
                    .doesNotContain("process_cpu_time_ns", "system_cpu_count");
        }
    }

    private static PrometheusMeterRegistry registry() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MeterConventions.apply(registry);
        return registry;
    }

    private static long lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).count();
    }
}
