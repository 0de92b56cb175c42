package dev.vantage.web;

import dev.vantage.Meters;
import dev.vantage.Version;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;

/**
 * The process's meters before any other: the {@link MeterConventions} (HELP text, histograms, Prometheus names), the
 * build info, and the JVM's meters (memory, GC, threads, classes, CPU, uptime). Bind it on a new registry, before the
 * process registers its own meters. Close it: the GC binder listens to GC notifications until closed.
 */
public final class JvmMeters implements AutoCloseable {
    private final JvmGcMetrics gc;

    private JvmMeters(JvmGcMetrics gc) {
        this.gc = gc;
    }

    public static JvmMeters bind(MeterRegistry registry) {
        MeterConventions.apply(registry);
        Gauge.builder(Meters.BUILD_INFO, () -> 1)
                .tag("version", Version.current())
                .tag("java", Runtime.version().toString())
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        cpuSeconds(registry);
        new UptimeMetrics().bindTo(registry);
        var gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new JvmMeters(gc);
    }

    /**
     * {@code process_cpu_seconds_total}, the name Prometheus' own clients use, in place of the binder's
     * {@code process_cpu_time_ns_total} (denied by the conventions): a unit in a name is spelt out, in seconds.
     */
    private static void cpuSeconds(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, b -> b.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the process")
                    .baseUnit("seconds")
                    .register(registry);
        }
    }

    @Override
    public void close() {
        gc.close();
    }
}
