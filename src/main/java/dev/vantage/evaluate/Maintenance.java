package dev.vantage.evaluate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The maintenance windows in force: answers whether a (monitor, datacenter) pair is in maintenance at an instant, and
 * when its maintenance next starts or ends. Immutable and pure; windows are few, so every question scans them.
 */
public final class Maintenance {
    public static final Maintenance NONE = new Maintenance(List.of());

    private final List<MaintenanceWindow> windows;

    public Maintenance(List<MaintenanceWindow> windows) {
        this.windows = List.copyOf(windows);
    }

    public List<MaintenanceWindow> windows() {
        return windows;
    }

    public boolean isEmpty() {
        return windows.isEmpty();
    }

    /** Whether a window covers the pair at {@code t}. */
    public boolean covers(int monitorId, int datacenterId, Instant t) {
        for (MaintenanceWindow w : windows) {
            if (w.scopes(monitorId, datacenterId) && w.activeAt(t)) {
                return true;
            }
        }
        return false;
    }

    /** The windows active at {@code t}, so that a tick judges time once per window and then only scopes. */
    public Maintenance activeAt(Instant t) {
        List<MaintenanceWindow> active = new ArrayList<>();
        for (MaintenanceWindow w : windows) {
            if (w.activeAt(t)) {
                active.add(w);
            }
        }
        return active.size() == windows.size() ? this : new Maintenance(active);
    }

    /** Whether one of these windows scopes the pair, whatever the time: with {@link #activeAt}, covered now. */
    public boolean scopes(int monitorId, int datacenterId) {
        for (MaintenanceWindow w : windows) {
            if (w.scopes(monitorId, datacenterId)) {
                return true;
            }
        }
        return false;
    }

    /** When the pair's next maintenance starts after {@code t} (an occurrence covering t does not count). */
    public Optional<Instant> nextStart(int monitorId, int datacenterId, Instant t) {
        Instant next = null;
        for (MaintenanceWindow w : windows) {
            if (!w.scopes(monitorId, datacenterId)) {
                continue;
            }
            Instant from = t;
            for (int i = 0; i < 3; i++) {
                var o = w.occurrence(from);
                if (o.isEmpty()) {
                    break;
                }
                if (o.get().start().isAfter(t)) {
                    next = next == null || o.get().start().isBefore(next)
                            ? o.get().start()
                            : next;
                    break;
                }
                from = o.get().end(); // covering t: the next one starts at or after its end
            }
        }
        return Optional.ofNullable(next);
    }

    /**
     * When the pair's maintenance that covers {@code t} ends: the first instant after t that no window covers (windows
     * that overlap or touch join up). Empty when none covers t.
     */
    public Optional<Instant> end(int monitorId, int datacenterId, Instant t) {
        if (!covers(monitorId, datacenterId, t)) {
            return Optional.empty();
        }
        Instant at = t;
        // Each step moves to the latest end among the occurrences covering `at`; bounded, windows being few.
        for (int step = 0; step <= windows.size() * 8 + 1; step++) {
            Instant latest = null;
            for (MaintenanceWindow w : windows) {
                if (!w.scopes(monitorId, datacenterId)) {
                    continue;
                }
                Instant when = at;
                var o = w.occurrence(when).filter(x -> x.covers(when));
                if (o.isPresent() && (latest == null || o.get().end().isAfter(latest))) {
                    latest = o.get().end();
                }
            }
            if (latest == null) {
                return Optional.of(at);
            }
            at = latest;
        }
        return Optional.of(at);
    }

    /** Every occurrence that covers {@code t} or starts before {@code until}, by start: what status pages list. */
    public List<Listed> listed(Instant t, Instant until) {
        List<Listed> out = new ArrayList<>();
        for (MaintenanceWindow w : windows) {
            var o = w.occurrence(t);
            if (o.isPresent() && o.get().start().isBefore(until)) {
                out.add(new Listed(w, o.get(), o.get().covers(t)));
            }
        }
        out.sort(Comparator.comparing((Listed l) -> l.occurrence().start())
                .thenComparingInt(l -> l.window().id()));
        return out;
    }

    /** A window's current or next occurrence, and whether it is active. */
    public record Listed(MaintenanceWindow window, MaintenanceWindow.Occurrence occurrence, boolean active) {}
}
