package dev.vantage.push;

import com.zaxxer.hikari.HikariDataSource;
import dev.vantage.LogContext;
import dev.vantage.Meters;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.heartbeat.journal.Journal;
import dev.vantage.schedule.ConfigWatcher;
import dev.vantage.store.PushDao;
import dev.vantage.web.WebServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push endpoints of one monitor replica: {@code /ping/<token>…} on its HTTP server, with what they need — the
 * tokens in memory (reloaded on every configuration change), a rate limit per monitor, run pairing, and a heartbeat
 * writer of its own, over a journal when {@link PushSettings#journalDir()} is set. Every replica runs one, leading or
 * not: taking beats is not the lease holder's job, so replicas behind a load balancer share the traffic with no
 * stickiness.
 *
 * <p>Its own small pool, so that a ping's commit never waits behind the evaluator or the delivery loop for a
 * connection, and its own LISTEN connection for the configuration (the monitor module's reload is the evaluator's).
 *
 * <p>Other transports (NATS, Redis) find monitors with {@link #tokens()} and hand their beats to {@link #intake()}; the
 * HTTP server is optional ({@link #mount}).
 *
 * <p>Shutdown: transports stop first (their owners close them before this); from the start of {@link #close()} every
 * beat is refused (pings answered 503), the token watcher stops, the writer writes what is queued (or journals it)
 * within its deadline, and the pool closes.
 */
public final class PushIngest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushIngest.class);
    /** Every path under it is a ping. */
    public static final String PATH_PREFIX = PingPath.PREFIX;

    public static final Set<String> METHODS = Set.of("GET", "HEAD", "POST");
    private static final Duration WRITER_SHUTDOWN = Duration.ofSeconds(5);

    private final HikariDataSource pool;
    private final HeartbeatWriter writer;
    private final ConfigWatcher watcher;
    private final ReadDeadlines deadlines;
    private final BeatIntake intake;
    private final PushTokens tokens;
    private final PushMeters meters;
    private final PingHandler handler;
    private final Jdbi jdbi;
    /** When a beat is taken: for the log. */
    private final String safety;

    private final Map<String, String> identity;
    private boolean closed; // guarded by this

    private PushIngest(
            HikariDataSource pool,
            HeartbeatWriter writer,
            ConfigWatcher watcher,
            ReadDeadlines deadlines,
            BeatIntake intake,
            PushTokens tokens,
            PushMeters meters,
            PingHandler handler,
            Jdbi jdbi,
            String safety,
            Map<String, String> identity) {
        this.safety = safety;
        this.pool = pool;
        this.writer = writer;
        this.watcher = watcher;
        this.deadlines = deadlines;
        this.intake = intake;
        this.tokens = tokens;
        this.meters = meters;
        this.handler = handler;
        this.jdbi = jdbi;
        this.identity = identity;
    }

    /**
     * Opens its pool, its journal (replaying what an earlier process left there), loads the tokens and starts
     * watching the configuration. The database need not be reachable: pings of tokens not loaded are answered 503
     * until it is.
     *
     * @param name this replica in logs (the monitor's name)
     * @throws dev.vantage.config.ConfigurationException when the journal directory cannot be used
     */
    public static PushIngest start(
            PushSettings settings, DbConnection db, String name, MeterRegistry meters, Clock clock) {
        var identity = Map.of("replica", name);
        try (var context = LogContext.replace(identity)) {
            HikariDataSource pool =
                    Database.measured(Database.pool(db, "vantage-push", 4, Duration.ofSeconds(10)), meters);
            HeartbeatWriter writer = null;
            ReadDeadlines deadlines = null;
            try {
                Path journal =
                        settings.journalDir() == null ? null : Journal.chooseDirectory(settings.journalDir(), "push");
                writer = HeartbeatWriter.start(pool, writerSettings(settings, journal), meters);
                deadlines = new ReadDeadlines();
                Jdbi jdbi = Database.jdbi(pool);
                var pushMeters = new PushMeters(meters);
                var rates = new RateLimits(settings.ratePerSecond(), settings.burst(), System::nanoTime);
                var keys = new BeatKeys();
                var pairing = new RunPairing(
                        (monitorId, rid, since) -> jdbi.withExtension(
                                        PushDao.class,
                                        dao -> dao.findStart(monitorId, rid.toString(), since.atOffset(ZoneOffset.UTC)))
                                .map(t -> t.toInstant()),
                        PushSettings.MAX_RUN);
                var tokens = new PushTokens(jdbi, settings.lookupsPerSecond(), System::nanoTime, pushMeters, ids -> {
                    rates.retain(ids);
                    keys.retain(ids);
                    pairing.retain(ids, clock.instant());
                });
                Gauge.builder(Meters.PUSH_TOKENS, tokens, PushTokens::size)
                        .description("Push monitors whose tokens this replica has loaded")
                        .register(meters);
                try {
                    tokens.reload("start");
                } catch (RuntimeException e) {
                    log.warn(
                            "Cannot load the push tokens yet ({}); retrying with the configuration watcher",
                            e.toString());
                }
                var intake = new BeatIntake(settings, rates, keys, pairing, writer, pushMeters, clock);
                var handler = new PingHandler(
                        settings, tokens, intake, deadlines, pushMeters.source(PushMeters.Source.HTTP), clock);
                var watcher = new ConfigWatcher(db, tokens::reload, settings.reloadInterval(), meters);
                watcher.start();
                String safety = journal == null
                        ? "once committed (no journal: refused while the database is away)"
                        : "once committed or journaled in " + journal;
                log.info("Taking push beats; each is taken {}", safety);
                return new PushIngest(
                        pool, writer, watcher, deadlines, intake, tokens, pushMeters, handler, jdbi, safety, identity);
            } catch (RuntimeException e) {
                if (deadlines != null) {
                    deadlines.close();
                }
                if (writer != null) {
                    writer.stop(Duration.ZERO);
                }
                pool.close();
                throw e;
            }
        }
    }

    static HeartbeatWriterSettings writerSettings(PushSettings settings, Path journal) {
        // No linger: a request waits for its beat's commit, so a batch is whatever queued while the last one was
        // written (group commit), one beat when traffic is light.
        var writer = HeartbeatWriterSettings.DEFAULTS
                .withQueueCapacity(settings.queueCapacity())
                .withLinger(Duration.ZERO)
                .withShutdownDeadline(WRITER_SHUTDOWN)
                .withJournalDir(journal);
        return journal == null ? writer : writer.withJournalMaxBytes(settings.journalMaxBytes());
    }

    /**
     * Serves the pings on {@code web}, to anyone: the token in the path is the credential. Optional: without it, the
     * beats of other transports (NATS, Redis) are still taken through {@link #intake()}.
     */
    public void mount(WebServer web) {
        web.routeOpenPrefix(PATH_PREFIX, METHODS, handler);
        try (var context = LogContext.replace(identity)) {
            log.info("Taking pings at {}<token>; beats are answered {}", PATH_PREFIX, safety);
        }
    }

    /** Where every transport hands its beats. */
    public BeatIntake intake() {
        return intake;
    }

    /** The push monitors by token and by push_subject, for transports to find a beat's monitor. */
    public PushTokens tokens() {
        return tokens;
    }

    /** The push meters; each transport counts its beats under its own source tag. */
    public PushMeters meters() {
        return meters;
    }

    /** This replica's own pool's Jdbi, for a transport that registers monitors (e.g. NATS auto-registration). */
    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (var context = LogContext.replace(identity)) {
            intake.stop();
            watcher.close();
            writer.stop(WRITER_SHUTDOWN);
            deadlines.close();
            pool.close();
            log.info("Stopped taking push beats");
        }
    }
}
