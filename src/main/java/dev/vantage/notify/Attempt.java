package dev.vantage.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a blocking attempt (SMTP, JDBC) so that its caller gets an answer by the deadline even when the library's own
 * timeouts are per operation and add up past it. The attempt runs on a virtual thread; at the deadline it is
 * interrupted and left to end by its own timeouts, and the caller gets a retry.
 */
public final class Attempt {
    private Attempt() {}

    /**
     * @param what names the attempt in a detail ({@code "SMTP"}), never with a credential
     * @param work the attempt; may throw, which becomes a retry naming the exception's class only
     */
    public static Outcome withDeadline(Clock clock, Instant deadline, String what, Callable<Outcome> work) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.compareTo(Duration.ofMillis(1)) < 0) {
            return Outcome.retry(null, null, "deadline passed before the attempt");
        }
        var task = new FutureTask<>(work);
        Thread.ofVirtual().name("notify-" + what).start(task);
        try {
            return task.get(left.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            return Outcome.retry(null, null, what + " timed out after " + left.toMillis() + " ms");
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return Outcome.retry(null, null, what + " attempt interrupted");
        } catch (ExecutionException e) {
            return Outcome.retry(
                    null, null, what + " failed: " + e.getCause().getClass().getSimpleName());
        }
    }
}
