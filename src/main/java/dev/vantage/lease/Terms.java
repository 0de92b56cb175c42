package dev.vantage.lease;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * Which slots this replica may probe, and under which epoch: the slot arithmetic of the lease, kept pure so it can be
 * tested alone. An epoch covers the slots from its start ({@code acquired_at}) until the start of the next epoch, and
 * the writer's fence enforces exactly that boundary; this class makes the scheduler follow it too, so that no slot
 * falls between two leaders:
 *
 * <ul>
 *   <li>a replica that takes the lock again (its session failed, or the database restarted) keeps probing under the
 *       old epoch the slots before the new epoch starts;
 *   <li>a leader that finds the lock taken keeps probing the slots before the new leader's start, then stops.
 * </ul>
 *
 * Written by the lease thread, read by the scheduler's threads.
 */
final class Terms {
    /** Slots in [from, until) are probed under epoch. */
    record Term(long epoch, Instant from, Instant until) {
        boolean covers(Instant slot) {
            return !slot.isBefore(from) && slot.isBefore(until);
        }
    }

    private volatile Term current;
    private volatile Term previous;
    private volatile long lostUpTo;
    private volatile Instant keepBefore = Instant.MIN;

    /** This replica took the lock under {@code epoch}, covering slots from {@code from} on. */
    void acquired(long epoch, Instant from) {
        Term c = current;
        previous = c == null || !c.until().equals(Instant.MAX) ? null : new Term(c.epoch(), c.from(), from);
        current = new Term(epoch, from, Instant.MAX);
    }

    /** The lock is gone and the next epoch starts at {@code successorFrom}: cover only the slots before it. */
    void endAt(Instant successorFrom) {
        Term c = current;
        if (c != null) {
            current = new Term(c.epoch(), c.from(), successorFrom.isBefore(c.from()) ? c.from() : successorFrom);
        }
        previous = null;
    }

    /**
     * Nothing is covered any more. Results of the lost epochs are kept only for slots before {@code successorFrom}
     * (null when unknown: none are kept).
     */
    void lost(Instant successorFrom) {
        Term c = current;
        if (c != null) {
            lostUpTo = c.epoch();
            keepBefore = successorFrom == null ? Instant.MIN : successorFrom;
        }
        current = null;
        previous = null;
    }

    OptionalLong epochFor(Instant slot) {
        Term c = current;
        if (c != null && c.covers(slot)) {
            return OptionalLong.of(c.epoch());
        }
        Term p = previous;
        if (p != null && p.covers(slot)) {
            return OptionalLong.of(p.epoch());
        }
        return OptionalLong.empty();
    }

    boolean keep(long epoch, Instant slot) {
        return epoch > lostUpTo || slot.isBefore(keepBefore);
    }

    /** The current term, or null. */
    Term current() {
        return current;
    }
}
