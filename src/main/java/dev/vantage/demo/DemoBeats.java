package dev.vantage.demo;

import dev.vantage.beat.Beat;
import dev.vantage.beat.BeatSender;
import dev.vantage.beat.BeatSenders;
import dev.vantage.beat.Deadline;
import dev.vantage.beat.Destination;
import dev.vantage.beat.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's senders of beats, as a user's jobs would send them with {@code vantage beat}: a job pinging its push
 * monitor's URL every 2.5 s, a nightly-export job that pings for its first 15 s and then stops (its monitor goes DOWN
 * with MISSED and the firing notification shows in the demo's log), and, when the demo runs a NATS server, a service
 * publishing nats-heartbeat messages on {@value #NATS_SUBJECT} (auto-registered as a push monitor on its first beat).
 */
final class DemoBeats implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoBeats.class);
    static final String NATS_SUBJECT = "heartbeat.demo.api";
    private static final Duration EVERY = Duration.ofMillis(2_500);
    private static final Duration STOPS_AFTER = Duration.ofSeconds(15);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("demo-beats").daemon(true).factory());
    private final List<BeatSender> senders = new ArrayList<>();

    private DemoBeats() {}

    /**
     * Starts sending.
     *
     * @param pingBase the demo's HTTP server, e.g. {@code http://127.0.0.1:8080}; null when it serves no HTTP
     * @param heartbeatToken the push token of {@link DemoData#HEARTBEAT_JOB}
     * @param exportToken the push token of {@link DemoData#EXPORT_JOB}
     * @param natsUrl the demo's NATS server, or null when it runs none
     */
    static DemoBeats start(String pingBase, String heartbeatToken, String exportToken, String natsUrl) {
        var beats = new DemoBeats();
        var open = BeatSenders.standard(Clock.systemUTC());
        Beat success = Beat.success(Duration.ofSeconds(5), Duration.ofSeconds(5), "demo", null);
        if (pingBase != null) {
            var heartbeat = open.open(new Destination(pingBase + "/ping/" + heartbeatToken, null, null));
            var export = open.open(new Destination(pingBase + "/ping/" + exportToken, null, null));
            beats.senders.add(heartbeat);
            beats.senders.add(export);
            beats.every(heartbeat, success, Duration.ZERO, null);
            beats.every(export, success.withMessage("exported 1200 rows"), Duration.ZERO, STOPS_AFTER);
        }
        if (natsUrl != null) {
            var nats = open.open(new Destination(natsUrl, NATS_SUBJECT, null));
            beats.senders.add(nats);
            beats.every(
                    nats,
                    Beat.success(Duration.ofSeconds(5), Duration.ofSeconds(5), "demo", "Demo API (NATS heartbeat)"),
                    Duration.ofMillis(500),
                    null);
        }
        return beats;
    }

    /** Sends {@code beat} every {@link #EVERY}, after {@code delay}, for {@code during} (null: until closed). */
    private void every(BeatSender sender, Beat beat, Duration delay, Duration during) {
        long stopAt = during == null ? Long.MAX_VALUE : System.nanoTime() + during.toNanos();
        timer.scheduleAtFixedRate(
                () -> {
                    if (System.nanoTime() > stopAt) {
                        return; // the job has stopped beating
                    }
                    Outcome outcome = sender.send(beat, Deadline.after(TIMEOUT));
                    if (outcome.kind() != Outcome.Kind.DELIVERED) {
                        log.warn("Demo beat to {} not delivered: {}", sender.where(), outcome.detail());
                    }
                },
                delay.toMillis(),
                EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        senders.forEach(BeatSender::close);
    }
}
