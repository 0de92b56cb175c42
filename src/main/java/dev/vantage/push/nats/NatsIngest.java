package dev.vantage.push.nats;

import dev.vantage.Fatal;
import dev.vantage.LogContext;
import dev.vantage.Meters;
import dev.vantage.heartbeat.LogThrottle;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushMeters;
import dev.vantage.push.PushMeters.Outcome;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beats from NATS, as the Go nats-heartbeat monitor reads them: a subscription to {@code <prefix>>} in a queue group
 * (so that replicas share the messages and each is taken once), each message a {@link HeartbeatMessage} handed to the
 * replica's {@link PushIngest#intake()}; optionally, at start, the last message per subject of a JetStream stream.
 *
 * <p>Never in the way of the rest of {@code vantage monitor}: it connects in the background, retrying with backoff
 * (250 ms doubling to 5 s) until the server answers, and jnats then reconnects forever and subscribes again by itself.
 * A disconnect and the reconnect are logged once each. Beats handed to the intake before an outage are in its writer
 * (and journal, when one is set). Credentials are never logged: the servers are named by {@code host:port}.
 *
 * <p>Messages go from jnats's dispatcher thread to a lane per subject ({@link SubjectLanes}), so a subject's beats are
 * taken in order while many subjects wait for their commits at once (group commit). Past {@link
 * NatsIngestSettings#inFlight()} beats in flight the dispatcher is held back, and past jnats's pending limits the
 * client drops messages (counted in {@value Meters#PUSH_NATS_DROPPED}).
 *
 * <p>Close: the connection drains (unsubscribes, hands on what it holds, closes), the lanes take what they hold within
 * a deadline, then the caller closes the {@link PushIngest}, whose writer writes what is queued.
 */
public final class NatsIngest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatsIngest.class);
    static final String CONNECTION_NAME = "vantage-ingest";
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration DRAIN = Duration.ofSeconds(5);
    private static final Duration LANES_DEADLINE = Duration.ofSeconds(10);
    /** Registrations of unknown subjects a second, at most. */
    private static final double REGISTRATIONS_PER_SECOND = 10;

    /** A message on its way to a lane. */
    private record Incoming(String subject, byte[] payload, Instant received, long arrivedNanos, boolean primed) {}

    private final NatsIngestSettings settings;
    private final PushIngest push;
    private final NatsBeatHandler handler;
    private final PushMeters.Beats meters;
    private final Map<String, String> identity;
    private final SubjectLanes<Incoming> lanes;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicReference<Connection> connection = new AtomicReference<>();
    private final AtomicReference<Dispatcher> dispatcher = new AtomicReference<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    private final LogThrottle clientLog;
    private Thread starter;
    private boolean closed; // guarded by this

    private NatsIngest(
            NatsIngestSettings settings,
            PushIngest push,
            NatsBeatHandler handler,
            PushMeters.Beats meters,
            Map<String, String> identity,
            Clock clock) {
        this.settings = settings;
        this.push = push;
        this.handler = handler;
        this.meters = meters;
        this.identity = identity;
        this.clientLog = new LogThrottle(clock, Duration.ofSeconds(30), 1);
        this.lanes = new SubjectLanes<>(settings.inFlight(), this::take, () -> org.slf4j.MDC.setContextMap(identity));
    }

    /**
     * Starts taking beats from NATS for {@code push}, in the background: returns at once, whether the server is up or
     * not.
     *
     * @param name this replica in logs and in the server's connection list
     */
    public static NatsIngest start(
            NatsIngestSettings settings, PushIngest push, String name, MeterRegistry registry, Clock clock) {
        var identity = Map.of("replica", name);
        var registry2 = new SubjectRegistry(push.jdbi(), push.tokens(), REGISTRATIONS_PER_SECOND, System::nanoTime);
        var handler = new NatsBeatHandler(push.intake(), push.tokens(), registry2, settings.autoRegister(), clock);
        var ingest =
                new NatsIngest(settings, push, handler, push.meters().source(PushMeters.Source.NATS), identity, clock);
        FunctionCounter.builder(Meters.PUSH_NATS_DROPPED, ingest.dispatcher, d -> {
                    Dispatcher now = d.get();
                    return now == null ? 0 : now.getDroppedCount();
                })
                .description("NATS messages the client dropped because the subscription fell behind")
                .register(registry);
        ingest.starter = Fatal.platformThread("vantage-nats-connect", () -> {
            try (var context = LogContext.replace(identity)) {
                ingest.connectAndSubscribe(name);
            }
        });
        ingest.starter.start();
        return ingest;
    }

    private void take(Incoming in) {
        Optional<Outcome> outcome;
        try {
            outcome = handler.handle(in.subject(), in.payload(), in.received(), in.primed());
        } catch (RuntimeException e) {
            log.error("A NATS beat on {} failed: {}", in.subject(), e.toString()); // a defect; the lane goes on
            outcome = Optional.of(Outcome.FAILED);
        }
        outcome.ifPresent(o -> meters.counted(o, in.arrivedNanos()));
    }

    /** Hands a message to its subject's lane, waiting while too many are in flight (until close). */
    private void enqueue(String subject, byte[] payload, boolean primed) {
        var in = new Incoming(subject, payload, push.intake().now(), System.nanoTime(), primed);
        try {
            while (!lanes.submit(subject, in, Duration.ofMillis(100))) {
                if (closing.getCount() == 0 && !lanes.submit(subject, in, DRAIN)) {
                    meters.counted(Outcome.UNAVAILABLE, in.arrivedNanos());
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            meters.counted(Outcome.UNAVAILABLE, in.arrivedNanos());
        }
    }

    private void connectAndSubscribe(String name) {
        Options options = options(name);
        Duration wait = FIRST_RETRY;
        boolean told = false;
        Connection c = null;
        while (c == null) {
            try {
                c = Nats.connect(options);
            } catch (AuthenticationException e) {
                if (!told) {
                    log.error("NATS at {} refused the credentials; retrying in the background", settings.address());
                    told = true;
                }
            } catch (IOException e) {
                if (!told) {
                    log.warn(
                            "Cannot reach NATS at {} ({}); beats from NATS are taken once it answers, trying in the"
                                    + " background",
                            settings.address(),
                            e.getClass().getSimpleName());
                    told = true;
                }
            } catch (InterruptedException e) {
                return;
            }
            if (c == null) {
                try {
                    if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
            }
        }
        synchronized (this) {
            if (closed) {
                closeQuietly(c);
                return;
            }
            connection.set(c);
        }
        connected.set(true);
        if (settings.primeStream() != null) {
            StreamPrimer.prime(
                    c, settings, () -> closing.getCount() == 0, (subject, data) -> enqueue(subject, data, true));
        }
        synchronized (this) {
            if (closed) {
                return; // close() drains the connection
            }
            Dispatcher d = c.createDispatcher(message -> enqueue(message.getSubject(), message.getData(), false));
            d.subscribe(settings.subscription(), settings.queue());
            dispatcher.set(d);
        }
        log.info(
                "Taking beats from NATS at {}: subject {}, queue group {}, unknown subjects {}",
                settings.address(),
                settings.subscription(),
                settings.queue(),
                settings.autoRegister() ? "registered as push monitors" : "dropped (auto-registration off)");
    }

    private Options options(String name) {
        var options = new Options.Builder()
                .servers(settings.servers().toArray(String[]::new))
                .connectionName(CONNECTION_NAME + " " + name)
                .connectionTimeout(CONNECT_TIMEOUT)
                .maxReconnects(-1)
                .reconnectDelayHandler(rounds -> {
                    long millis = FIRST_RETRY.toMillis() << Math.min(rounds, 5);
                    return Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
                })
                .connectionListener(this::connectionEvent)
                .errorListener(new Errors());
        if (settings.user() != null) {
            options.userInfo(
                    settings.user().reveal().toCharArray(),
                    settings.password().reveal().toCharArray());
        }
        if (settings.token() != null) {
            options.token(settings.token().reveal().toCharArray());
        }
        return options.build();
    }

    private void connectionEvent(Connection c, ConnectionListener.Events event) {
        try (var context = LogContext.replace(identity)) {
            switch (event) {
                case DISCONNECTED -> {
                    if (connected.compareAndSet(true, false) && closing.getCount() > 0) {
                        log.warn(
                                "Disconnected from NATS at {}; reconnecting in the background (beats taken so far are"
                                        + " with the writer)",
                                settings.address());
                    }
                }
                case RECONNECTED -> {
                    if (connected.compareAndSet(false, true)) {
                        log.info("Reconnected to NATS at {}; taking beats again", settings.address());
                    }
                }
                default -> {}
            }
        }
    }

    /** jnats's asynchronous errors, logged at most once every 30 s; its own listener would log through JUL. */
    private final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            report("NATS at {} sent an error: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            if (!connected.get() || exp instanceof IOException) {
                // The connection's own failures: the disconnect is told once, and the reconnect will be.
                log.debug(
                        "NATS reconnect attempt to {} failed: {}",
                        settings.address(),
                        exp.getClass().getSimpleName());
                return;
            }
            report("NATS client error with {}: {}", exp.getClass().getSimpleName());
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            report(
                    "NATS at {}: the subscription fell behind ({}); the client drops messages past its pending limits",
                    "slow consumer");
        }

        private void report(String format, String what) {
            try (var context = LogContext.replace(identity)) {
                long suppressed = clientLog.event();
                if (suppressed >= 0) {
                    log.warn(
                            format + (suppressed > 0 ? " ({} more since the last report)" : ""),
                            settings.address(),
                            what,
                            suppressed);
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try (var context = LogContext.replace(identity)) {
            closing.countDown();
            joinQuietly(starter, Duration.ofSeconds(5));
            Connection c = connection.get();
            if (c != null) {
                drain(c);
            }
            try {
                if (!lanes.awaitIdle(LANES_DEADLINE)) {
                    log.warn("NATS beats still in flight after {} s; not waiting longer", LANES_DEADLINE.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.info("Stopped taking beats from NATS");
        }
    }

    /** Unsubscribes and hands on what the client holds, then closes; just closes when that cannot be done. */
    private void drain(Connection c) {
        try {
            if (c.getStatus() == Connection.Status.CONNECTED) {
                c.drain(DRAIN).get(DRAIN.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("NATS drain did not complete: {}", e.getClass().getSimpleName());
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean joinQuietly(Thread t, Duration within) {
        if (t == null) {
            return true;
        }
        try {
            return t.join(within);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
