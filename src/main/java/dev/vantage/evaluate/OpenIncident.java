package dev.vantage.evaluate;

import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/** The mutable form of an {@link Incident} while the evaluator changes it. */
final class OpenIncident {
    final IncidentKey key;
    String scope;
    final Instant openedAt;
    Instant resolvedAt;
    final String errorType;
    final String errorMessage;
    final TreeSet<Integer> datacenters;
    boolean notified;
    final Instant certNotAfter;
    /** The incident that notifies instead of this one (a dependency's); set once. */
    IncidentRef suppressedBy;

    /** Listed in the change log since the last drain. */
    boolean touched;

    OpenIncident(Incident i) {
        key = i.key();
        scope = i.scope();
        openedAt = i.openedAt();
        resolvedAt = i.resolvedAt();
        errorType = i.errorType();
        errorMessage = i.errorMessage();
        datacenters = new TreeSet<>(i.datacenters());
        notified = i.notified();
        certNotAfter = i.certNotAfter();
        suppressedBy = i.suppressedBy();
    }

    IncidentRef ref() {
        return new IncidentRef(key, openedAt);
    }

    /** A monitor incident opened by its first datacenter going DOWN: it starts when that run of failures did. */
    static OpenIncident monitor(DatacenterTracker first) {
        Instant opened = first.failingSince != null ? first.failingSince : first.since;
        return new OpenIncident(new Incident(
                IncidentKey.monitor(first.monitorId),
                Incident.SCOPE_DATACENTER,
                opened,
                null,
                first.firstErrorType,
                first.firstErrorMessage,
                List.of(first.datacenterId),
                false));
    }

    /** A datacenter with no live leader agent: notified from the start, since LOST is always announced. */
    static OpenIncident datacenter(int datacenterId, Instant openedAt) {
        return new OpenIncident(new Incident(
                IncidentKey.datacenter(datacenterId),
                Incident.SCOPE_DATACENTER,
                openedAt,
                null,
                null,
                null,
                List.of(datacenterId),
                true));
    }

    /**
     * A certificate about to expire, first seen by {@code datacenterId} at {@code at}: notified from the start, since
     * the incident exists to send that one notice.
     */
    static OpenIncident certificate(int monitorId, int datacenterId, Instant at, Instant certNotAfter, String warning) {
        return new OpenIncident(new Incident(
                IncidentKey.certificate(monitorId),
                Incident.SCOPE_GLOBAL,
                at,
                null,
                null,
                warning,
                List.of(datacenterId),
                true,
                certNotAfter));
    }

    /**
     * A datacenter slow for long enough: opened when it became DEGRADED, notified from the start, since the incident
     * exists to send that one notice.
     */
    static OpenIncident degraded(DatacenterTracker first, String reason) {
        return new OpenIncident(new Incident(
                IncidentKey.degraded(first.monitorId),
                Incident.SCOPE_GLOBAL,
                first.since,
                null,
                null,
                reason,
                List.of(first.datacenterId),
                true));
    }

    Incident snapshot() {
        return new Incident(
                key,
                scope,
                openedAt,
                resolvedAt,
                errorType,
                errorMessage,
                List.copyOf(datacenters),
                notified,
                certNotAfter,
                suppressedBy);
    }
}
