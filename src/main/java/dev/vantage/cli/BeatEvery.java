package dev.vantage.cli;

import dev.vantage.beat.Beat;
import dev.vantage.beat.BeatSender;
import dev.vantage.beat.Deadline;
import dev.vantage.beat.Delivery;
import dev.vantage.beat.FixedRate;
import dev.vantage.beat.GoDuration;
import dev.vantage.beat.Rfc3339;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code vantage beat --every D}: a success beat every period until SIGTERM or Ctrl-C (a shutdown hook stops the loop
 * and waits for it, at most --timeout and a second) or an interrupt. Each beat has --timeout, retries included; one
 * that is not delivered is logged as one line and the next tick sends a fresh one. Ticks a slow beat overran are
 * skipped, not sent late in a burst. (Cutting each beat off at the next tick instead would fail beats that were merely
 * slow, such as the first one of a JVM that has just started.)
 *
 * @param every the period
 * @param timeout what one beat may take
 * @param err where the loop's lines go: one when it starts, one per beat not delivered, one when beats get through again
 */
record BeatEvery(Duration every, Duration timeout, Delivery delivery, Clock clock, PrintWriter err) {

    void run(BeatSender sender, Beat beat) {
        var stop = new CountDownLatch(1);
        var ended = new CountDownLatch(1);
        Thread loop = Thread.currentThread();
        Thread hook = new Thread(
                () -> {
                    stop.countDown();
                    loop.interrupt(); // ends a wait between retries at once
                    try {
                        ended.await(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "beat-every-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("vantage beat: a beat every " + GoDuration.format(every) + " to " + sender.where());
        err.flush();
        int[] missed = {0};
        try {
            FixedRate.run(
                    every,
                    stop,
                    () -> {
                        Delivery.Result result = delivery.deliver(sender, beat, Deadline.after(timeout));
                        if (!result.delivered() && !Thread.currentThread().isInterrupted()) {
                            missed[0]++;
                            log("not delivered: " + result.detail());
                        } else if (result.delivered() && missed[0] > 0) {
                            log("delivered again after " + missed[0] + " beat(s) not delivered");
                            missed[0] = 0;
                        }
                    },
                    e -> log("beat failed: " + e));
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what ended the loop
            }
        }
    }

    /** A line with the time first: the loop runs for months, and its lines end up in a log. */
    private void log(String line) {
        err.println(Rfc3339.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)) + " vantage beat: " + line);
        err.flush();
    }
}
