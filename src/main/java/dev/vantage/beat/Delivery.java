package dev.vantage.beat;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Sends one beat until it is delivered, refused for good, or the deadline leaves no time for another attempt. Between
 * attempts it waits with capped exponential backoff ("equal jitter": half of each step is random, so senders that lost
 * the same server do not come back in lockstep), or as long as the server asked with {@code Retry-After} when that is
 * longer. A wait that would end too close to the deadline is not begun: the beat is given up at once.
 */
public final class Delivery {
    static final Duration FIRST_DELAY = Duration.ofMillis(200);
    static final Duration MAX_DELAY = Duration.ofSeconds(3);
    /**
     * A wait is begun only when it leaves at least this long for the attempt after it; otherwise the beat is given up
     * with the reason of the last real attempt, not that of one with no time to succeed.
     */
    static final Duration SHORTEST_ATTEMPT = Duration.ofMillis(100);

    private final RandomGenerator random;

    public Delivery(RandomGenerator random) {
        this.random = random;
    }

    /**
     * How a beat's delivery ended.
     *
     * @param delivered whether the server took it
     * @param attempts how many attempts were made
     * @param detail why it was not delivered, one line naming the server; null when delivered
     */
    public record Result(boolean delivered, int attempts, String detail) {}

    /** Sends {@code beat} through {@code sender} by {@code deadline}; interruption ends it (the flag is kept). */
    public Result deliver(BeatSender sender, Beat beat, Deadline deadline) {
        long start = System.nanoTime();
        int attempts = 0;
        while (true) {
            attempts++;
            Outcome outcome = sender.send(beat, deadline);
            switch (outcome.kind()) {
                case DELIVERED -> {
                    return new Result(true, attempts, null);
                }
                case REJECTED -> {
                    return new Result(false, attempts, outcome.detail());
                }
                case RETRY -> {
                    Duration wait = backoff(attempts);
                    if (outcome.retryAfter() != null && outcome.retryAfter().compareTo(wait) > 0) {
                        wait = outcome.retryAfter();
                    }
                    if (wait.plus(SHORTEST_ATTEMPT).compareTo(deadline.remaining()) > 0) {
                        return new Result(false, attempts, gaveUp(outcome, attempts, start));
                    }
                    if (!pause(wait)) {
                        return new Result(false, attempts, outcome.detail() + " (interrupted)");
                    }
                }
            }
        }
    }

    /** The wait after {@code failures} consecutive failures: between half the step and the step. */
    Duration backoff(int failures) {
        long step = FIRST_DELAY.toNanos() << Math.min(failures - 1, 20);
        if (step <= 0 || step > MAX_DELAY.toNanos()) {
            step = MAX_DELAY.toNanos();
        }
        long half = step / 2;
        return Duration.ofNanos(step - half + random.nextLong(half + 1));
    }

    private static String gaveUp(Outcome last, int attempts, long start) {
        String detail = last.detail();
        if (last.retryAfter() != null) {
            detail += "; asked to retry after " + GoDuration.format(last.retryAfter()) + ", past the deadline";
        }
        Duration took = Duration.ofMillis((System.nanoTime() - start) / 1_000_000);
        return detail + " (" + attempts + (attempts == 1 ? " attempt" : " attempts") + " in " + GoDuration.format(took)
                + ")";
    }

    /** A bounded wait between two attempts; false when interrupted. */
    private static boolean pause(Duration wait) {
        try {
            Thread.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
