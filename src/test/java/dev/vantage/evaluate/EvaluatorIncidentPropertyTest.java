package dev.vantage.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random histories of agents registering, leading, vanishing and stopping, heartbeats failing and recovering, and
 * monitor modules rebuilding from the rows (at nanosecond times, as the wall clock gives them), each drain persisted
 * as {@link IncidentStore} pairs notices with rows ({@link Store}). Whatever the order, notices pair up (a FOUND or
 * RESOLVED only after its LOST or FIRING, never a second LOST or FIRING while one is open), no datacenter is lost
 * before {@code lostAfter} has passed in which a leader could have been seen, and nothing throws.
 */
class EvaluatorIncidentPropertyTest {
    private static final Duration LOST_AFTER = Scenario.LOST_AFTER;
    private static final int DATACENTERS = 3;
    private static final int STEPS = 300;

    static Stream<Long> seeds() {
        return LongStream.range(1, 201).boxed();
    }

    /** One agent process as its agents row shows it. */
    private static final class Agent {
        final Instant startedAt;
        Instant lastSeenAt;
        boolean leader;
        boolean vanished;
        Instant stoppedAt;

        Agent(Instant startedAt) {
            this.startedAt = startedAt;
            this.lastSeenAt = startedAt;
        }
    }

    /** The agents of one datacenter, and which of them took the latest lease epoch. */
    private static final class Datacenter {
        final int id;
        final List<Agent> agents = new ArrayList<>();
        Agent holder;

        Datacenter(int id) {
            this.id = id;
        }

        /** What EvaluationConfigDao.liveness reads from these rows; null when no agent ever registered. */
        DatacenterLiveness liveness() {
            if (agents.isEmpty()) {
                return null;
            }
            Instant watchedSince = null;
            Instant leaderSeen = null;
            Instant lastStop = null;
            boolean allStopped = true;
            for (Agent a : agents) {
                if (a.stoppedAt == null) {
                    allStopped = false;
                    watchedSince = min(watchedSince, a.startedAt);
                    if (a.leader) {
                        leaderSeen = max(leaderSeen, a.lastSeenAt);
                    }
                } else {
                    lastStop = max(lastStop, a.stoppedAt);
                }
            }
            if (holder != null && holder.stoppedAt != null) {
                leaderSeen = max(leaderSeen, holder.stoppedAt);
            }
            return new DatacenterLiveness(id, watchedSince, leaderSeen, allStopped ? lastStop : null);
        }

        boolean hasLiveLeader() {
            return agents.stream().anyMatch(a -> a.leader && !a.vanished && a.stoppedAt == null);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noticesPairUpAndNothingIsLostEarlyWhateverTheOrderOfEvents(long seed) {
        var random = new SplittableRandom(seed);
        var store = new Store();
        var monitors = List.of(
                Scenario.monitor(1, Policy.of(10, 3, 1, 1, null, null, null, null, null), 1, 2, 3),
                Scenario.monitor(2, Policy.of(10, 1, 2, 1, null, null, null, null, null), 1));
        var datacenters = new ArrayList<Datacenter>();
        for (int id = 1; id <= DATACENTERS; id++) {
            datacenters.add(new Datacenter(id));
        }
        Instant now = Scenario.T0.plusNanos(random.nextLong(1_000_000_000L));
        Instant watchingSince = now;
        Evaluator evaluator = configured(store.restore(now), monitors, now);
        var open = new HashMap<IncidentKey, Event>();
        var history = new ArrayList<String>();

        for (int step = 0; step < STEPS; step++) {
            now = now.plusMillis(random.nextLong(1, 8_000)).plusNanos(random.nextLong(1_000_000));
            Datacenter dc = datacenters.get(random.nextInt(DATACENTERS));
            String action = act(random, dc, now);
            history.add(now + " " + action + " dc" + dc.id);
            if (action.equals("rebuild")) {
                evaluator = configured(store.restore(now), monitors, now);
                watchingSince = now;
            }
            for (Datacenter d : datacenters) {
                for (Agent a : d.agents) {
                    if (a.leader && !a.vanished && a.stoppedAt == null) {
                        a.lastSeenAt = now;
                    }
                }
            }
            for (Datacenter d : datacenters) {
                if (d.hasLiveLeader() && random.nextInt(3) > 0) {
                    boolean ok = random.nextInt(4) > 0;
                    for (var m : monitors) {
                        if (m.datacenters().contains(d.id)) {
                            evaluator.apply(heartbeat(m.monitorId(), d.id, now, ok));
                        }
                    }
                }
            }
            var liveness = datacenters.stream()
                    .map(Datacenter::liveness)
                    .filter(l -> l != null)
                    .toList();
            evaluator.tick(now, liveness);
            Changes changes = evaluator.drain();
            try {
                store.persist(changes);
                check(changes.notices(), open, liveness, watchingSince);
            } catch (AssertionError e) {
                throw new AssertionError(
                        "seed " + seed + " step " + step + ": " + e.getMessage() + "\nhistory:\n"
                                + String.join("\n", history.subList(Math.max(0, history.size() - 15), history.size())),
                        e);
            }
        }
    }

    private static Evaluator configured(Evaluator evaluator, List<MonitorConfig> monitors, Instant now) {
        evaluator.configure(monitors, Scenario.CODES, Scenario.DEFAULT_CHANNELS, now);
        return evaluator;
    }

    /** A heartbeat as the cursor reads it: its slot at the database's microseconds. */
    private static Observation heartbeat(int monitor, int dc, Instant at, boolean ok) {
        Instant slot = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        return ok
                ? new Observation(0, monitor, dc, slot, true, 80.0, null, null, null, null)
                : new Observation(0, monitor, dc, slot, false, 12.0, null, null, "HTTP_STATUS", "HTTP 503");
    }

    /** One random event in {@code dc}'s agents, or a rebuild of the monitor module; returns its name. */
    private static String act(SplittableRandom random, Datacenter dc, Instant now) {
        var running = dc.agents.stream().filter(a -> a.stoppedAt == null).toList();
        return switch (random.nextInt(10)) {
            case 0, 1 -> {
                dc.agents.add(new Agent(now));
                yield "register";
            }
            case 2, 3, 4 -> {
                var standby =
                        running.stream().filter(a -> !a.leader && !a.vanished).findFirst();
                if (standby.isPresent() && !dc.hasLiveLeader()) {
                    running.stream().filter(a -> a.leader).forEach(a -> a.leader = false);
                    standby.get().leader = true;
                    standby.get().lastSeenAt = now;
                    dc.holder = standby.get();
                    yield "lead";
                }
                yield "wait";
            }
            case 5 -> {
                running.stream().filter(a -> !a.vanished).findFirst().ifPresent(a -> a.vanished = true);
                yield "vanish";
            }
            case 6, 7 -> {
                var alive = running.stream().filter(a -> !a.vanished).toList();
                if (!alive.isEmpty()) {
                    var a = alive.get(random.nextInt(alive.size()));
                    a.stoppedAt = now;
                    a.lastSeenAt = now;
                    a.leader = false;
                }
                yield "stop";
            }
            case 8 -> "rebuild";
            default -> "wait";
        };
    }

    /** Notices pair up per key, and a LOST comes only after lostAfter without a chance to see a leader. */
    private static void check(
            List<NoticeRequest> notices,
            Map<IncidentKey, Event> open,
            List<DatacenterLiveness> liveness,
            Instant watchingSince) {
        for (NoticeRequest n : notices) {
            Event previous = open.get(n.key());
            switch (n.event()) {
                case LOST, FIRING -> {
                    assertThat(previous)
                            .as("%s for %s while %s is open", n.event(), n.key(), previous)
                            .isNull();
                    open.put(n.key(), n.event());
                }
                case FOUND -> {
                    assertThat(previous).as("FOUND for %s", n.key()).isEqualTo(Event.LOST);
                    open.remove(n.key());
                }
                case RESOLVED -> {
                    assertThat(previous).as("RESOLVED for %s", n.key()).isNotNull();
                    open.remove(n.key());
                }
                case FLAPPING, REMINDER -> {}
            }
            if (n.event() == Event.LOST) {
                var l = liveness.stream()
                        .filter(x -> x.datacenterId() == n.key().subjectId())
                        .findFirst()
                        .orElseThrow();
                assertThat(l.stopped()).as("a stopped datacenter is not lost").isFalse();
                Instant from = max(max(watchingSince, l.watchedSince()), l.lastLeaderSeenAt());
                assertThat(Duration.between(from, n.at()))
                        .as("LOST for %s only after %s without a chance to see a leader", n.key(), LOST_AFTER)
                        .isGreaterThan(LOST_AFTER.minusNanos(1000));
            }
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
