package dev.vantage.notify;

import dev.vantage.probe.TargetText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What happened, as every notifier receives it: the {@code notifications.payload} of one outbox row, fixed when it
 * was enqueued. Contains no credential: monitor headers are not part of it and {@code target} has no user info or
 * query string.
 *
 * @param dedupKey the incident's stable deduplication key ({@code incidents.dedup_key}), the same for every notice of
 *     the incident; for a certificate incident it names the certificate ({@code vantage-certificate-<monitor>-<notAfter
 *     epoch seconds>})
 * @param kind {@code monitor}, {@code datacenter} or {@code certificate}
 * @param scope {@code datacenter} or {@code global}
 * @param monitorId the monitor of a monitor incident, else null
 * @param monitorName its name, else null
 * @param target the monitor's URL without user info or query, else null
 * @param datacenters codes of the datacenters involved (DOWN, or the lost one), sorted
 * @param state the state the notice reports: DOWN, PARTIAL, UP, FLAPPING, LOST, FOUND, or DEGRADED (a
 *     certificate about to expire)
 * @param errorType error_type of the incident's first failed heartbeat, or null
 * @param errorMessage error_message of that heartbeat, or null
 * @param at when the event happened
 * @param summary one line for people, e.g. {@code "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200"}
 * @param suppressed the monitors whose incidents this one suppressed ({@code incidents.suppressed_by}), by name: read
 *     when the notification is claimed for sending, since dependents may go DOWN after their dependency fired
 * @param members the notices sent together as this one ({@linkplain #isGroup a group}, built by {@link NoticeGroup}),
 *     each with its own dedup key; empty for the notice of one incident
 */
public record Notice(
        Event event,
        String dedupKey,
        long incidentId,
        String kind,
        String scope,
        Integer monitorId,
        String monitorName,
        String target,
        List<String> datacenters,
        String state,
        String errorType,
        String errorMessage,
        Instant openedAt,
        Instant resolvedAt,
        Instant at,
        String summary,
        List<Suppressed> suppressed,
        List<Notice> members) {

    /** Most names {@link #suppressedSentence} lists before an ellipsis. */
    static final int SUPPRESSED_NAMES = 10;

    /** A dependent monitor's incident held back by this one. */
    public record Suppressed(int monitorId, String monitorName, String dedupKey) {
        public Suppressed {
            Objects.requireNonNull(monitorName, "monitorName");
            Objects.requireNonNull(dedupKey, "dedupKey");
        }
    }

    public Notice {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(summary, "summary");
        // An outbox row written by an older version may carry a target's text of any size.
        errorType = TargetText.cut(errorType, TargetText.TYPE_CHARS);
        errorMessage = TargetText.cut(errorMessage);
        summary = TargetText.cut(summary, TargetText.SENTENCE_CHARS);
        datacenters = List.copyOf(datacenters);
        suppressed = List.copyOf(suppressed);
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** The notice of one incident, that suppressed nothing (or whose suppressed monitors are not read yet). */
    public Notice(
            Event event,
            String dedupKey,
            long incidentId,
            String kind,
            String scope,
            Integer monitorId,
            String monitorName,
            String target,
            List<String> datacenters,
            String state,
            String errorType,
            String errorMessage,
            Instant openedAt,
            Instant resolvedAt,
            Instant at,
            String summary) {
        this(
                event,
                dedupKey,
                incidentId,
                kind,
                scope,
                monitorId,
                monitorName,
                target,
                datacenters,
                state,
                errorType,
                errorMessage,
                openedAt,
                resolvedAt,
                at,
                summary,
                List.of(),
                List.of());
    }

    /**
     * This notice listing {@code suppressed}, its summary ending with {@link #suppressedSentence}, so that every
     * notifier's text (Slack, email, PagerDuty, ...) says it without knowing about dependencies.
     */
    public Notice withSuppressed(List<Suppressed> suppressed) {
        if (suppressed.isEmpty()) {
            return this;
        }
        return new Notice(
                event,
                dedupKey,
                incidentId,
                kind,
                scope,
                monitorId,
                monitorName,
                target,
                datacenters,
                state,
                errorType,
                errorMessage,
                openedAt,
                resolvedAt,
                at,
                summary + ", " + suppressedSentence(suppressed),
                suppressed,
                members);
    }

    /** Whether this notice lists several incidents ({@link #members}) rather than reporting one. */
    public boolean isGroup() {
        return !members.isEmpty();
    }

    /**
     * The one text about suppressed dependents, e.g. {@code "and 12 dependent monitors suppressed: a, b, c, …"}: at
     * most {@value #SUPPRESSED_NAMES} names, then an ellipsis.
     */
    public static String suppressedSentence(List<Suppressed> suppressed) {
        int n = suppressed.size();
        var names = new StringBuilder();
        for (int i = 0; i < Math.min(n, SUPPRESSED_NAMES); i++) {
            names.append(i == 0 ? "" : ", ").append(suppressed.get(i).monitorName());
        }
        if (n > SUPPRESSED_NAMES) {
            names.append(", ").append(Text.ELLIPSIS);
        }
        return "and " + n + (n == 1 ? " dependent monitor" : " dependent monitors") + " suppressed: " + names;
    }
}
