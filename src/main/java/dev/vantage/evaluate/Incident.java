package dev.vantage.evaluate;

import dev.vantage.probe.TargetText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One incident as the {@code incidents} table holds it, without the id the database assigns. Within one
 * {@link Changes} an incident is identified by its key and {@code openedAt}: a monitor may resolve one incident and
 * open the next in the same drain.
 *
 * @param scope {@code datacenter} (below the quorum) or {@code global} (a quorum of datacenters was DOWN at some point)
 * @param resolvedAt null while open
 * @param datacenters every datacenter that was DOWN during the incident (or the lost one), ascending
 * @param notified whether a FIRING (LOST, CERTIFICATE) notice was requested, so that a RESOLVED (FOUND, RENEWED) one
 *     follows
 * @param certNotAfter for a {@link IncidentKey.Kind#CERTIFICATE certificate} incident, the notAfter of the certificate
 *     it warns about (which names it); null for the other kinds
 * @param suppressedBy for a monitor incident that went DOWN while a monitor it depends on failed, the incident that
 *     notified instead ({@code incidents.suppressed_by}); null otherwise. Set once: {@code notified} tells whether it
 *     fired later on its own.
 */
public record Incident(
        IncidentKey key,
        String scope,
        Instant openedAt,
        Instant resolvedAt,
        String errorType,
        String errorMessage,
        List<Integer> datacenters,
        boolean notified,
        Instant certNotAfter,
        IncidentRef suppressedBy) {

    public static final String SCOPE_DATACENTER = "datacenter";
    public static final String SCOPE_GLOBAL = "global";

    public Incident {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(openedAt, "openedAt");
        if (!SCOPE_DATACENTER.equals(scope) && !SCOPE_GLOBAL.equals(scope)) {
            throw new IllegalArgumentException("scope must be datacenter or global, was " + scope);
        }
        errorType = TargetText.cut(errorType, TargetText.TYPE_CHARS);
        errorMessage = TargetText.cut(errorMessage);
        datacenters = datacenters.stream().distinct().sorted().toList();
        if ((key.kind() == IncidentKey.Kind.CERTIFICATE) != (certNotAfter != null)) {
            throw new IllegalArgumentException("certNotAfter is set exactly for certificate incidents: " + key);
        }
        if (suppressedBy != null && key.kind() != IncidentKey.Kind.MONITOR) {
            throw new IllegalArgumentException("only a monitor incident is suppressed: " + key);
        }
    }

    /** An incident that nothing suppressed. */
    public Incident(
            IncidentKey key,
            String scope,
            Instant openedAt,
            Instant resolvedAt,
            String errorType,
            String errorMessage,
            List<Integer> datacenters,
            boolean notified,
            Instant certNotAfter) {
        this(key, scope, openedAt, resolvedAt, errorType, errorMessage, datacenters, notified, certNotAfter, null);
    }

    /** A monitor or datacenter incident. */
    public Incident(
            IncidentKey key,
            String scope,
            Instant openedAt,
            Instant resolvedAt,
            String errorType,
            String errorMessage,
            List<Integer> datacenters,
            boolean notified) {
        this(key, scope, openedAt, resolvedAt, errorType, errorMessage, datacenters, notified, null);
    }

    /**
     * The deduplication key of its notices: per incident row ({@code vantage-degraded-<id>} for a degraded incident,
     * apart from the outages of the same monitor), or per certificate for a certificate incident.
     */
    public String dedupKey(long incidentId) {
        if (certNotAfter != null) {
            return "vantage-certificate-" + key.subjectId() + "-" + certNotAfter.getEpochSecond();
        }
        return key.kind() == IncidentKey.Kind.DEGRADED
                ? "vantage-degraded-" + incidentId
                : "vantage-incident-" + incidentId;
    }

    /** What names this incident to another one ({@link #suppressedBy}). */
    public IncidentRef ref() {
        return new IncidentRef(key, openedAt);
    }

    public boolean isOpen() {
        return resolvedAt == null;
    }
}
