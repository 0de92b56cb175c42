package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.db.Database;
import dev.vantage.notify.Channel;
import dev.vantage.notify.ChannelDirectory;
import dev.vantage.notify.Delivery;
import dev.vantage.notify.DeliverySettings;
import dev.vantage.notify.Event;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.OutboxPayload;
import dev.vantage.notify.webhook.WebhookNotifier;
import dev.vantage.store.Fence;
import dev.vantage.store.OutboxDao;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * Grouped notices: {@code incidents} firing notifications enqueued at once for one webhook channel, delivered by a
 * real {@link Delivery} to a loopback receiver, side by side with {@code group_seconds} 0 (one request each) and with
 * a window (one request per 1,000). Prints, per run, the requests and notices received, the time from the end of the
 * window to the last one, and the time of one claim statement while the rows are held (what every poll costs).
 *
 * <pre>{@code java -cp target/vantage.jar dev.vantage.bench.GroupBench [incidents] [groupSeconds] [rounds]}</pre>
 */
public final class GroupBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GroupBench() {}

    public static void main(String[] args) throws Exception {
        int incidents = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        var requests = new AtomicInteger();
        var notices = new AtomicInteger();
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", exchange -> {
            try (exchange) {
                var data = JSON.readTree(exchange.getRequestBody()).path("data");
                notices.addAndGet(data.has("members") ? data.path("members").size() : 1);
                requests.incrementAndGet();
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 4)) {
            Jdbi jdbi = Database.jdbi(pool);
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
            int channelId = jdbi.withHandle(
                    h -> h.createQuery("INSERT INTO notification_channels (name, type, settings, repeat_every)"
                                    + " VALUES ('bench webhook', 'webhook', jsonb_build_object('url', CAST(:url AS text)),"
                                    + " NULL) RETURNING id")
                            .bind("url", url)
                            .mapTo(Integer.class)
                            .one());
            var channel = Channel.configure(
                    channelId,
                    "bench webhook",
                    new WebhookNotifier(NotifierContext.of(null, Clock.systemUTC())),
                    JsonNodeFactory.instance.objectNode().put("url", url));
            ChannelDirectory directory = id -> id == channelId
                    ? Optional.<ChannelDirectory.Sender>of(
                            (n, notice, deadline) -> channel.send(channel.render(n, notice), deadline))
                    : Optional.empty();
            System.out.printf(
                    "%,d firing notifications to one webhook channel; %d cores; load %s%n",
                    incidents, Runtime.getRuntime().availableProcessors(), load());
            for (int round = 1; round <= rounds; round++) {
                for (int seconds : List.of(0, window)) {
                    requests.set(0);
                    notices.set(0);
                    run(jdbi, directory, channelId, incidents, seconds, requests, notices);
                }
            }
        } finally {
            server.stop(0);
        }
    }

    private static void run(
            Jdbi jdbi,
            ChannelDirectory directory,
            int channelId,
            int incidents,
            int seconds,
            AtomicInteger requests,
            AtomicInteger notices)
            throws InterruptedException {
        jdbi.useHandle(h -> {
            h.execute("TRUNCATE notification_attempts, notifications, incidents");
            h.execute("UPDATE notification_channels SET group_seconds = ? WHERE id = ?", seconds, channelId);
        });
        enqueue(jdbi, channelId, incidents);
        Instant enqueued = Instant.now();
        double claimMs = seconds == 0 ? Double.NaN : heldClaimMillis(jdbi);
        var settings = DeliverySettings.DEFAULTS.withConcurrency(8, 4);
        long start = System.nanoTime();
        try (var delivery =
                new Delivery(jdbi, directory, Fence.NONE, () -> true, settings, new SimpleMeterRegistry())) {
            delivery.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (notices.get() < incidents && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        double total = (System.nanoTime() - start) / 1e9;
        double afterWindow =
                Duration.between(enqueued.plusSeconds(seconds), Instant.now()).toNanos() / 1e9;
        System.out.printf(
                "group_seconds %-3d %,6d requests %,6d notices; last %.2f s after the window ended (%.2f s in all);"
                        + " one claim with the rows held %s; load %s%n",
                seconds,
                requests.get(),
                notices.get(),
                afterWindow,
                total,
                Double.isNaN(claimMs) ? "-" : "%.1f ms".formatted(claimMs),
                load());
    }

    /** The claim statement while every row waits for its window, rolled back: the cost of each poll meanwhile. */
    private static double heldClaimMillis(Jdbi jdbi) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            jdbi.useHandle(h -> {
                h.begin();
                int claimed = h.attach(OutboxDao.class)
                        .claim(8, 4, new long[0], new int[0], new int[0], 1000, 15_000)
                        .size();
                h.rollback();
                if (claimed != 0) {
                    throw new IllegalStateException("claimed " + claimed + " rows inside their window");
                }
            });
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return best;
    }

    private static void enqueue(Jdbi jdbi, int channelId, int incidents) {
        jdbi.useTransaction(h -> {
            var batch = h.prepareBatch("INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload)"
                    + " VALUES (:incident, :channel, 'firing', :key, CAST(:payload AS jsonb))");
            List<Long> ids = h.createQuery("INSERT INTO incidents (kind, monitor_id, scope, opened_at, notified)"
                            + " SELECT 'monitor', g, 'global', now(), true FROM generate_series(1, :n) g RETURNING id")
                    .bind("n", incidents)
                    .mapTo(Long.class)
                    .list();
            Instant now = Instant.now();
            for (long id : ids) {
                String key = "vantage-incident-" + id;
                var notice = new Notice(
                        Event.FIRING,
                        key,
                        id,
                        "monitor",
                        "global",
                        (int) id,
                        "monitor-" + id,
                        "https://monitor-" + id + ".example.com/",
                        List.of("NY", "VA"),
                        "DOWN",
                        "HTTP_STATUS",
                        "[STATUS] (503) == 200",
                        now.minusSeconds(10),
                        null,
                        now,
                        "monitor-" + id + " is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200");
                batch.bind("incident", id)
                        .bind("channel", channelId)
                        .bind("key", key)
                        .bind("payload", OutboxPayload.write(notice))
                        .add();
            }
            batch.execute();
        });
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
