package dev.vantage.evaluate;

import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;

/**
 * What an incident is about: a monitor (its target fails), a datacenter (no live leader agent) or a monitor's
 * certificate (about to expire), or a monitor slow for long enough (degraded). At most one incident per key is open at a time, as the partial unique indexes on
 * {@code incidents} require.
 *
 * @param subjectId the monitor id ({@link Kind#MONITOR}, {@link Kind#CERTIFICATE}, {@link Kind#DEGRADED}) or the datacenter id
 *     ({@link Kind#DATACENTER})
 */
public record IncidentKey(Kind kind, int subjectId) implements Comparable<IncidentKey> {

    private static final Comparator<IncidentKey> ORDER =
            Comparator.comparing(IncidentKey::kind).thenComparingInt(IncidentKey::subjectId);

    /** {@code incidents.kind}. */
    public enum Kind {
        MONITOR,
        DATACENTER,
        CERTIFICATE,
        /** A monitor slow (DEGRADED) in some datacenter for {@code notify_degraded_after} slots. */
        DEGRADED;

        /**
         * The value stored in {@code incidents.kind}: {@code monitor}, {@code datacenter}, {@code certificate} or
         * {@code degraded}.
         */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind fromWire(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }

        /** Whether the subject is a monitor ({@code incidents.monitor_id}) rather than a datacenter. */
        public boolean aboutMonitor() {
            return this != DATACENTER;
        }
    }

    public IncidentKey {
        Objects.requireNonNull(kind, "kind");
    }

    public static IncidentKey monitor(int monitorId) {
        return new IncidentKey(Kind.MONITOR, monitorId);
    }

    public static IncidentKey certificate(int monitorId) {
        return new IncidentKey(Kind.CERTIFICATE, monitorId);
    }

    public static IncidentKey degraded(int monitorId) {
        return new IncidentKey(Kind.DEGRADED, monitorId);
    }

    /** The key of an {@code incidents} row, from its kind and subject columns. */
    public static IncidentKey of(String kind, int monitorId, int datacenterId) {
        Kind k = Kind.fromWire(kind);
        return new IncidentKey(k, k.aboutMonitor() ? monitorId : datacenterId);
    }

    public static IncidentKey datacenter(int datacenterId) {
        return new IncidentKey(Kind.DATACENTER, datacenterId);
    }

    @Override
    public int compareTo(IncidentKey other) {
        return ORDER.compare(this, other);
    }
}
