package dev.vantage.evaluate;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one-line texts of states and notices. Built only when a state changes or a notice is requested, never per
 * heartbeat.
 */
final class Texts {
    private final Map<Integer, String> datacenterCodes;

    Texts(Map<Integer, String> datacenterCodes) {
        this.datacenterCodes = Map.copyOf(datacenterCodes);
    }

    /** The error type of a push monitor's silence. */
    static final String MISSED = "MISSED";

    /** Why a push monitor is DOWN for silence: {@code no heartbeat for 47 s (expected every 15 s, grace 30 s)}. */
    static String missed(Duration silent, Duration period, Duration grace) {
        return "no heartbeat for " + seconds(silent) + " (expected every " + seconds(period) + ", grace "
                + seconds(grace) + ")";
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + " s";
    }

    /** A datacenter's code, or {@code #7} for an id without one. */
    String code(int datacenterId) {
        String code = datacenterCodes.get(datacenterId);
        return code != null ? code : "#" + datacenterId;
    }

    /** Codes sorted alphabetically, comma separated: {@code "NY, VA"}. */
    String codes(Collection<Integer> datacenterIds) {
        return datacenterIds.stream().map(this::code).sorted().collect(Collectors.joining(", "));
    }

    String datacenterDetails(DatacenterTracker dc, Observation o) {
        return switch (dc.state) {
            case DOWN -> error(dc.firstErrorType, dc.firstErrorMessage, ": ");
            case DEGRADED ->
                o.warning() != null
                        ? o.warning()
                        : dc.slowPhase >= 0
                                ? slow(dc)
                                : "slow: " + ms(o.responseTimeMs()) + " ms > "
                                        + (o.warningMs() != null ? o.warningMs() : o.criticalMs()) + " ms";
            case UP -> o.responseTimeMs() == null ? "up" : "up: " + ms(o.responseTimeMs()) + " ms";
            case UNKNOWN, PARTIAL, MAINTENANCE ->
                throw new IllegalStateException("a heartbeat never leads to " + dc.state);
        };
    }

    /**
     * Why a datacenter is slow, from its newest slow success: {@code DNS slow in SYD: dns_lookup_ms 182.4 > 100 (3 in a
     * row)}, or {@code slow in SYD: 1500 ms > 1000 ms (3 in a row)} for the response time.
     */
    String slow(DatacenterTracker dc) {
        String count = " (" + dc.slow + " in a row)";
        if (dc.slowPhase < 0) {
            return "slow in " + code(dc.datacenterId) + ": " + ms(dc.slowMs) + " ms > " + number(dc.slowLimitMs) + " ms"
                    + count;
        }
        Phase phase = Phase.of(dc.slowPhase);
        return phase.label() + " slow in " + code(dc.datacenterId) + ": " + phase.column() + " " + number(dc.slowMs)
                + " > " + number(dc.slowLimitMs) + count;
    }

    /** {@code checkout is DEGRADED: DNS slow in SYD: dns_lookup_ms 182.4 > 100 (5 in a row)}. */
    String degraded(String monitor, DatacenterTracker dc) {
        return monitor + " is DEGRADED: " + slow(dc);
    }

    /** The end of a degraded incident: no datacenter is slow any more. */
    static String recoveredFromSlowness(String monitor, Incident incident) {
        return monitor + " is fast again after " + duration(incident.openedAt(), incident.resolvedAt());
    }

    /** The monitor's {@code notify_degraded_after} was cleared while its degraded incident was open. */
    static String degradedNoticesOff(String monitor) {
        return monitor + ": slow-response notices turned off (notify_degraded_after cleared); degraded incident closed";
    }

    /** {@code 100}, {@code 182.4}: a whole number without decimals, else one decimal. */
    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    static String unknownDetails(Instant lastScheduledAt) {
        return lastScheduledAt == null ? "no data yet" : "no heartbeat since " + lastScheduledAt;
    }

    String globalDetails(State state, DatacenterTracker[] datacenters, List<Integer> down, int quorum) {
        return switch (state) {
            case DOWN -> "DOWN" + where(down) + ": " + firstError(datacenters);
            case PARTIAL ->
                "DOWN in " + codes(down) + " (" + down.size() + " of " + datacenters.length + ", quorum " + quorum
                        + "): " + firstError(datacenters);
            case DEGRADED -> degraded(datacenters);
            case UNKNOWN ->
                datacenters.length == 0
                        ? "no datacenter runs it"
                        : pushed(idsOf(datacenters)) ? "no beat yet" : "no data from any datacenter";
            case MAINTENANCE -> "in maintenance";
            case UP -> {
                List<Integer> unknown = idsIn(datacenters, State.UNKNOWN);
                yield unknown.isEmpty() ? "UP" : "UP; no data from " + codes(unknown);
            }
        };
    }

    /**
     * Where and why, as the status table's one DETAILS cell: the reason of the first DEGRADED datacenter, {@code
     * DEGRADED in NY, SYD: DNS slow in NY: dns_lookup_ms 182.4 > 100 (3 in a row)}; a lone datacenter whose reason
     * names it already reads {@code DNS slow in SYD: dns_lookup_ms 182.4 > 100 (3 in a row)}.
     */
    private String degraded(DatacenterTracker[] datacenters) {
        List<Integer> ids = idsIn(datacenters, State.DEGRADED);
        String where = "DEGRADED in " + codes(ids);
        for (DatacenterTracker dc : datacenters) {
            if (dc.state == State.DEGRADED && dc.details != null) {
                boolean named = dc.details.contains(" in " + code(dc.datacenterId) + ": ");
                return ids.size() == 1 && named ? dc.details : where + ": " + dc.details;
            }
        }
        return where;
    }

    /**
     * The error of the DOWN datacenter that went DOWN first: its details, set at that transition, still name the
     * error when a success since has cleared its failing run.
     */
    private static String firstError(DatacenterTracker[] datacenters) {
        DatacenterTracker first = null;
        for (DatacenterTracker dc : datacenters) {
            if (dc.state == State.DOWN && (first == null || dc.since.isBefore(first.since))) {
                first = dc;
            }
        }
        if (first == null) {
            throw new IllegalStateException("no datacenter is DOWN");
        }
        return first.failingSince != null
                ? error(first.firstErrorType, first.firstErrorMessage, " ")
                : String.valueOf(first.details);
    }

    private static List<Integer> idsIn(DatacenterTracker[] datacenters, State state) {
        return Arrays.stream(datacenters)
                .filter(dc -> dc.state == state)
                .map(dc -> dc.datacenterId)
                .toList();
    }

    String firing(String monitor, List<Integer> down, Incident incident) {
        return monitor + " is DOWN" + where(down) + ": " + error(incident.errorType(), incident.errorMessage(), " ");
    }

    /** {@code " in NY, VA"}; nothing for a push monitor, which is not watched from a datacenter. */
    private String where(List<Integer> down) {
        return pushed(down) ? "" : " in " + codes(down);
    }

    /** Whether these are the one pseudo-datacenter of a push monitor. */
    static boolean pushed(Collection<Integer> datacenterIds) {
        return datacenterIds.size() == 1 && datacenterIds.contains(Evaluator.PUSH_DATACENTER);
    }

    private static List<Integer> idsOf(DatacenterTracker[] datacenters) {
        return Arrays.stream(datacenters).map(dc -> dc.datacenterId).toList();
    }

    static String recovered(String monitor, Incident incident) {
        return monitor + " recovered after " + duration(incident.openedAt(), incident.resolvedAt());
    }

    static String removed(String monitor, Incident incident) {
        return monitor + " is no longer monitored (removed or disabled); incident closed after "
                + duration(incident.openedAt(), incident.resolvedAt());
    }

    /** {@code "the certificate of checkout expires on 2026-12-11 08:00 UTC (in 5 days)"}. */
    static String certificate(String monitor, Instant notAfter, Instant at) {
        long days = Duration.between(at, notAfter).toDays();
        String left = notAfter.isAfter(at)
                ? days == 0 ? "in less than a day" : days == 1 ? "in 1 day" : "in " + days + " days"
                : "expired";
        return "the certificate of " + monitor + " expires on " + date(notAfter) + " (" + left + ")";
    }

    /** The certificate warned about is no longer what the monitor's successes warn of. */
    static String renewed(String monitor, Instant notAfter) {
        return "the certificate of " + monitor + " that expires on " + date(notAfter)
                + " is no longer served within the warning window (renewed)";
    }

    /** {@code 2026-12-11 08:00 UTC}. */
    static String date(Instant at) {
        return DATE.format(at);
    }

    private static final java.time.format.DateTimeFormatter DATE = java.time.format.DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:mm 'UTC'")
            .withZone(java.time.ZoneOffset.UTC);

    static String flapping(String monitor, int changes, Duration window) {
        return monitor + " is flapping: " + changes + " state changes within " + duration(window)
                + "; notifications held until it settles";
    }

    /** @param watchedFrom when a leader could first have been seen (see {@link LivenessTracker}) */
    String lost(int datacenterId, Instant lastLeaderSeenAt, Instant watchedFrom) {
        return "datacenter " + code(datacenterId) + " lost: "
                + (lastLeaderSeenAt == null
                        ? "no leader agent seen since it was first watched at " + watchedFrom
                        : "no leader agent seen since " + lastLeaderSeenAt);
    }

    String found(int datacenterId, Incident incident) {
        return "datacenter " + code(datacenterId) + " found: leader agent back after "
                + duration(incident.openedAt(), incident.resolvedAt());
    }

    String unwatched(int datacenterId) {
        return "datacenter " + code(datacenterId) + " is no longer watched; incident closed";
    }

    private static String error(String type, String message, String separator) {
        if (type == null) {
            return message == null ? "failed" : message;
        }
        return message == null ? type : type + separator + message;
    }

    private static long ms(double value) {
        return Math.round(value);
    }

    static String duration(Instant from, Instant to) {
        return duration(Duration.between(from, to));
    }

    /** {@code 42 s}, {@code 4 min}, {@code 2 h 5 min}, {@code 3 d 4 h}. */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        long min = s / 60;
        if (min < 60) {
            return min + " min";
        }
        long h = min / 60;
        if (h < 24) {
            return min % 60 == 0 ? h + " h" : h + " h " + min % 60 + " min";
        }
        return h % 24 == 0 ? h / 24 + " d" : h / 24 + " d " + h % 24 + " h";
    }
}
