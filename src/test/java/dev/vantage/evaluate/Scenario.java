package dev.vantage.evaluate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Builds monitors and heartbeats at explicit times for evaluator tests: second {@code s} is {@code T0 + s}. */
public final class Scenario {
    public static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    public static final Duration LOST_AFTER = Duration.ofSeconds(30);
    public static final Map<Integer, String> CODES = Map.of(1, "NY", 2, "VA", 3, "FR");
    public static final List<Integer> CHANNELS = List.of(7, 8);
    public static final List<Integer> DEFAULT_CHANNELS = List.of(1);
    public static final int WARNING_MS = 1000;
    public static final int CRITICAL_MS = 2000;

    private static final AtomicLong HEARTBEAT_IDS = new AtomicLong();

    private Scenario() {}

    public static Instant at(int second) {
        return T0.plusSeconds(second);
    }

    /** The defaults for a 10 s interval: down after 3, up after 2, degraded after 3, grace 30 s. */
    public static Policy policy(int datacenters) {
        return Policy.of(10, datacenters, null, null, null, null, null, null, null);
    }

    public static Policy policy(int datacenters, Integer downAfter, Integer upAfter, Integer degradedAfter) {
        return Policy.of(10, datacenters, downAfter, upAfter, degradedAfter, null, null, null, null);
    }

    /** Flaps after more than {@code flapChanges} changes within {@code windowMinutes}; down and up after 1. */
    public static Policy flappy(int datacenters, int flapChanges, int windowMinutes, Integer graceSeconds) {
        return Policy.of(10, datacenters, 1, 1, null, graceSeconds, null, flapChanges, windowMinutes);
    }

    public static MonitorConfig monitor(int id, Policy policy, Integer... datacenters) {
        return new MonitorConfig(id, id == 1 ? "checkout" : "monitor-" + id, policy, Set.of(datacenters), CHANNELS);
    }

    /** An evaluator configured at T0 with these monitors, its first drain (the initial rows) discarded. */
    public static Evaluator evaluator(MonitorConfig... monitors) {
        var evaluator = new Evaluator(LOST_AFTER, T0);
        evaluator.configure(Arrays.asList(monitors), CODES, DEFAULT_CHANNELS, T0);
        evaluator.drain();
        return evaluator;
    }

    public static Observation ok(int monitor, int dc, int second) {
        return success(monitor, dc, second, 100.0, WARNING_MS, CRITICAL_MS);
    }

    public static Observation slow(int monitor, int dc, int second) {
        return success(monitor, dc, second, 1500.0, WARNING_MS, CRITICAL_MS);
    }

    public static Observation success(
            int monitor, int dc, int second, Double responseTimeMs, Integer warningMs, Integer criticalMs) {
        return new Observation(
                HEARTBEAT_IDS.incrementAndGet(),
                monitor,
                dc,
                at(second),
                true,
                responseTimeMs,
                warningMs,
                criticalMs,
                null,
                null);
    }

    /**
     * A success whose certificate, expiring at {@code notAfter}, is within the warning window: the warning and the
     * certificate's notAfter as {@code HeartbeatCursor} reads them from {@code details}.
     */
    public static Observation expiring(int monitor, int dc, int second, Instant notAfter) {
        return new Observation(
                HEARTBEAT_IDS.incrementAndGet(),
                monitor,
                dc,
                at(second),
                true,
                100.0,
                WARNING_MS,
                CRITICAL_MS,
                null,
                null,
                null,
                "certificate of CN=shop.example expires in 5 days (" + notAfter + ")",
                notAfter);
    }

    /** A fast success (100 ms) with these phase timings in ms, each null when the phase did not happen. */
    public static Observation phases(
            int monitor, int dc, int second, Double dnsMs, Double connectMs, Double tlsMs, Double firstByteMs) {
        return new Observation(
                HEARTBEAT_IDS.incrementAndGet(),
                monitor,
                dc,
                at(second),
                true,
                100.0,
                WARNING_MS,
                CRITICAL_MS,
                null,
                null,
                null,
                null,
                null,
                dnsMs,
                connectMs,
                tlsMs,
                firstByteMs);
    }

    public static Observation fail(int monitor, int dc, int second) {
        return failure(monitor, dc, second, "HTTP_STATUS", "HTTP 503");
    }

    public static Observation failure(int monitor, int dc, int second, String type, String message) {
        return new Observation(
                HEARTBEAT_IDS.incrementAndGet(),
                monitor,
                dc,
                at(second),
                false,
                12.0,
                WARNING_MS,
                CRITICAL_MS,
                type,
                message);
    }

    /** One token per heartbeat of monitor 1 in datacenter 1, every 10 s from second 0: ok, slow or fail. */
    public static List<Observation> heartbeats(String tokens) {
        List<Observation> out = new ArrayList<>();
        int second = 0;
        for (String token : tokens.trim().split("\\s+")) {
            out.add(
                    switch (token) {
                        case "ok" -> ok(1, 1, second);
                        case "slow" -> slow(1, 1, second);
                        case "fail" -> fail(1, 1, second);
                        default -> throw new IllegalArgumentException(token);
                    });
            second += 10;
        }
        return out;
    }

    /** A datacenter whose agents registered at T0 and whose leader was last seen at {@code second}. */
    public static DatacenterLiveness seen(int dc, int second) {
        return DatacenterLiveness.running(dc, T0, at(second));
    }

    /** A datacenter whose agents registered at T0 and never led. */
    public static DatacenterLiveness neverSeen(int dc) {
        return DatacenterLiveness.running(dc, T0, null);
    }

    /** A datacenter whose first running agent registered at {@code second} and never led. */
    public static DatacenterLiveness registered(int dc, int second) {
        return DatacenterLiveness.running(dc, at(second), null);
    }

    /** A datacenter whose agents all stopped gracefully, the last at {@code second}; its leader seen then. */
    public static DatacenterLiveness stopped(int dc, int second) {
        return new DatacenterLiveness(dc, null, at(second), at(second));
    }
}
