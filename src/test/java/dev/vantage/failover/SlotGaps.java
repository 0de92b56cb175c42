package dev.vantage.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What is missing from the slots written for a set of monitors over a window, read from the rows alone: the slot
 * grid is interval-aligned with a per-monitor offset, so every monitor's consecutive slots differ by exactly the
 * interval, its first slot lies within one interval of the window's start and its last within one of its end.
 */
final class SlotGaps {
    private SlotGaps() {}

    /** One line per problem; empty when every monitor has every slot of {@code [from, to]} exactly once. */
    static List<String> find(
            Map<Long, List<Instant>> slotsByMonitor, List<Long> monitors, Instant from, Instant to, Duration interval) {
        var problems = new ArrayList<String>();
        for (long monitor : monitors) {
            List<Instant> slots = slotsByMonitor.getOrDefault(monitor, List.of());
            if (slots.isEmpty()) {
                problems.add("monitor " + monitor + ": no slot at all in [" + from + ", " + to + "]");
                continue;
            }
            Instant first = slots.getFirst();
            Instant last = slots.getLast();
            if (!first.isBefore(from.plus(interval))) {
                problems.add("monitor " + monitor + ": first slot " + first + " is " + missing(from, first, interval)
                        + " after the window start " + from);
            }
            if (!last.isAfter(to.minus(interval))) {
                problems.add("monitor " + monitor + ": last slot " + last + " is " + missing(last, to, interval)
                        + " before the window end " + to);
            }
            for (int i = 1; i < slots.size(); i++) {
                Duration step = Duration.between(slots.get(i - 1), slots.get(i));
                if (step.equals(interval)) {
                    continue;
                }
                problems.add("monitor " + monitor + ": " + slots.get(i - 1) + " -> " + slots.get(i)
                        + (step.compareTo(interval) > 0
                                ? " (" + (step.toMillis() / interval.toMillis() - 1) + " slots missing)"
                                : " (" + step.toMillis() + " ms apart: off the grid or twice)"));
            }
        }
        return problems;
    }

    /**
     * The longest span without a slot between two consecutive slots of one monitor, minus the interval (so an
     * unbroken grid has a hole of zero); the whole window when fewer than two slots fall in it.
     */
    static Duration largestHole(List<Instant> slots, Instant from, Instant to, Duration interval) {
        var inWindow =
                slots.stream().filter(s -> !s.isBefore(from) && !s.isAfter(to)).toList();
        if (inWindow.size() < 2) {
            return Duration.between(from, to);
        }
        Duration largest = Duration.ZERO;
        for (int i = 1; i < inWindow.size(); i++) {
            Duration hole =
                    Duration.between(inWindow.get(i - 1), inWindow.get(i)).minus(interval);
            if (hole.compareTo(largest) > 0) {
                largest = hole;
            }
        }
        return largest;
    }

    private static String missing(Instant a, Instant b, Duration interval) {
        return Duration.between(a, b).toMillis() + " ms ("
                + Duration.between(a, b).toMillis() / interval.toMillis() + " slots)";
    }
}
