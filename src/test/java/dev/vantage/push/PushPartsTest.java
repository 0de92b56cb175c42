package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The small pure parts of the push endpoints: rate limits, beat keys, run pairing, details. */
class PushPartsTest {
    private static final Instant T = Instant.parse("2025-11-23T02:00:00.123456789Z");
    private static final UUID RID = UUID.fromString("0f5bc9a2-5e0a-4c1f-9a83-5b4c1f0a2e7d");

    @Test
    void aBucketAllowsItsBurstThenItsRateAndSaysHowLongToWait() {
        var now = new AtomicLong(0);
        var limits = new RateLimits(5, 50, now::get);

        for (int i = 0; i < 50; i++) {
            assertThat(limits.take(1)).as("beat %d of the burst", i).isZero();
        }
        long wait = limits.take(1);
        assertThat(wait).isBetween(199_000_000L, 200_000_000L);
        assertThat(limits.take(2)).as("another monitor has its own bucket").isZero();

        now.addAndGet(200_000_000);
        assertThat(limits.take(1)).isZero();
        assertThat(limits.take(1)).isPositive();
        now.addAndGet(60_000_000_000L);
        int allowed = 0;
        while (limits.take(1) == 0) {
            allowed++;
        }
        assertThat(allowed).as("refilled to the burst, not past it").isEqualTo(50);
    }

    @Test
    void keysAreTheReceiveTimeInMicrosecondsAndStrictlyIncreasingPerMonitor() {
        var keys = new BeatKeys();
        Instant micros = Instant.parse("2025-11-23T02:00:00.123456Z");

        assertThat(keys.next(1, T)).isEqualTo(micros);
        assertThat(keys.next(1, T)).isEqualTo(micros.plusNanos(1_000));
        assertThat(keys.next(1, T.minusSeconds(1))).as("a clock stepping back").isEqualTo(micros.plusNanos(2_000));
        assertThat(keys.next(2, T)).as("another monitor").isEqualTo(micros);
        assertThat(keys.next(1, T.plusSeconds(1))).isEqualTo(micros.plusSeconds(1));
        assertThat(BeatKeys.micros(T)).isEqualTo(micros);
    }

    @Test
    void aSenderStampedKeyIsKeptUnlessItIsBeforeTheLastSoAReplayWritesNothing() {
        var keys = new BeatKeys();
        Instant stamped = Instant.parse("2025-11-23T01:59:59.000001Z");

        assertThat(keys.next(1, T, stamped)).as("the first beat").isEqualTo(stamped);
        assertThat(keys.next(1, T, stamped))
                .as("the same beat replayed: same key")
                .isEqualTo(stamped);
        assertThat(keys.next(1, T, stamped.plusSeconds(1))).isEqualTo(stamped.plusSeconds(1));
        assertThat(keys.next(1, T, stamped))
                .as("older than the last key: the receive time")
                .isEqualTo(BeatKeys.micros(T));
        assertThat(keys.next(1, T)).isEqualTo(BeatKeys.micros(T).plusNanos(1_000));
        assertThat(keys.next(1, T, stamped)).isEqualTo(BeatKeys.micros(T).plusNanos(2_000));
    }

    @Test
    void keysStayUniqueUnderConcurrency() throws Exception {
        var keys = new BeatKeys();
        var all = java.util.concurrent.ConcurrentHashMap.<Instant>newKeySet();
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    all.add(keys.next(7, T));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(all).hasSize(80_000);
    }

    @Test
    void aFinishWithoutRunIdEndsTheLatestStartOnce() {
        var pairing = new RunPairing((m, rid, since) -> Optional.empty(), Duration.ofHours(24));
        pairing.started(1, null, T);

        assertThat(pairing.durationMs(1, null, T.plusMillis(1_500).plusNanos(2_500)))
                .isEqualTo(1_500.002);
        assertThat(pairing.durationMs(2, null, T.plusSeconds(1)))
                .as("another monitor")
                .isNull();
        pairing.finished(1, null);
        assertThat(pairing.durationMs(1, null, T.plusSeconds(2))).isNull();
    }

    @Test
    void aFinishWithARunIdEndsItsOwnStartAndAsksTheDatabaseForOnesItDidNotSee() {
        UUID other = UUID.randomUUID();
        var asked = new ArrayList<String>();
        var pairing = new RunPairing(
                (m, rid, since) -> {
                    asked.add(m + " " + rid + " " + since);
                    return rid.equals(other) ? Optional.of(T.minusSeconds(10)) : Optional.empty();
                },
                Duration.ofHours(24));
        pairing.started(1, RID, T);
        pairing.started(1, UUID.randomUUID(), T.plusSeconds(5)); // a second run, overlapping

        assertThat(pairing.durationMs(1, RID, T.plusSeconds(60))).isEqualTo(60_000.0);
        assertThat(pairing.durationMs(1, other, T)).as("from another replica").isEqualTo(10_000.0);
        assertThat(asked).containsExactly("1 " + other + " " + T.minus(Duration.ofHours(24)));
        pairing.finished(1, RID);
        assertThat(pairing.durationMs(1, RID, T.plusSeconds(61))).isNull();
    }

    @Test
    void aStartTooOldOrInTheFuturePairsWithNothingAndAFailingDatabaseCostsOnlyTheDuration() {
        var pairing = new RunPairing(
                (m, rid, since) -> {
                    throw new IllegalStateException("database down");
                },
                Duration.ofHours(1));
        pairing.started(1, null, T);

        assertThat(pairing.durationMs(1, null, T.plus(Duration.ofHours(2)))).isNull();
        assertThat(pairing.durationMs(1, null, T.minusSeconds(1))).isNull();
        assertThat(pairing.durationMs(1, RID, T)).isNull();
    }

    @Test
    void pairingForgetsMonitorsThatAreGoneAndKeepsABoundedNumberOfRunIds() {
        var pairing = new RunPairing((m, rid, since) -> Optional.empty(), Duration.ofHours(24));
        pairing.started(1, null, T);
        pairing.started(2, null, T);
        UUID first = UUID.randomUUID();
        pairing.started(3, first, T);
        for (int i = 0; i < RunPairing.MAX_TRACKED; i++) {
            pairing.started(3, UUID.randomUUID(), T);
        }

        pairing.retain(Set.of(2, 3), T.plusSeconds(1));

        assertThat(pairing.durationMs(1, null, T.plusSeconds(1))).isNull();
        assertThat(pairing.durationMs(2, null, T.plusSeconds(1))).isEqualTo(1_000.0);
        assertThat(pairing.durationMs(3, first, T.plusSeconds(1)))
                .as("the oldest run id, forgotten")
                .isNull();
    }

    @Test
    void detailsHoldOnlyTheKeysThatApplyAndNoControlCharacters() throws Exception {
        var json = new ObjectMapper();

        assertThat(json.readTree(BeatDetails.http("GET", "127.0.0.1", null, null, null, null, 0)))
                .isEqualTo(json.readTree("{\"source\":\"http\",\"method\":\"GET\",\"remote\":\"127.0.0.1\"}"));
        String full = BeatDetails.http("POST", "::1", "203.0.113.9", "curl/8.5\u0000\n" + "x".repeat(300), RID, 3, 12);
        assertThat(json.readTree(full))
                .isEqualTo(json.readTree("{\"source\":\"http\",\"method\":\"POST\",\"remote\":\"::1\","
                        + "\"forwarded_for\":\"203.0.113.9\",\"user_agent\":\"curl/8.5" + "x".repeat(192) + "\","
                        + "\"rid\":\"" + RID + "\",\"exit_status\":3,\"body_bytes\":12}"));
        assertThat(full).doesNotContain("\\u0000");
        assertThat(List.of(full)).noneMatch(s -> s.contains("\n"));
    }
}
