package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeResult;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(PostgresExtension.class)
class WriterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each test writes its own monitor ids, so tests sharing the class database stay independent. */
    private static final AtomicInteger MONITORS = new AtomicInteger(1_000);

    private static final HeartbeatWriterSettings FAST = HeartbeatWriterSettings.DEFAULTS
            .withLinger(Duration.ofMillis(5))
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(500));

    /** A probe type's details, one of each JSON kind. */
    private static final Map<String, Object> DETAILS = details();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @ParameterizedTest(name = "copyDirect={0}")
    @ValueSource(booleans = {true, false})
    void everyColumnRoundTripsExactly(boolean copyDirect, TestDatabase db) throws Exception {
        int monitor = MONITORS.getAndAdd(10);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var headers = new LinkedHashMap<String, String>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Server", "nginx/1.27");
        headers.put("X-Cache", "HIT from edge\t\"7\"");
        headers.put("X-Odd", "back\\slash\nnew line ünïcødé ✓ \uD83D\uDE00 nul\u0000end");
        var full = new Heartbeat(
                monitor,
                3,
                42,
                7L,
                slot,
                ProbeResult.at(slot.plus(123_456, ChronoUnit.MICROS))
                        .timings(new PhaseTimings(0.037, 1.5, 12.25, 3.001, 0.999, 17.123, 18.456, 4.5))
                        .statusCode(503)
                        .responseSizeBytes(1_234L)
                        .remoteAddress("192.0.2.1:443")
                        .responseHeaders(headers)
                        .body("{\"error\":\"down\"}\n\ttab \\ back \u0000nul é")
                        .redirects(2)
                        .details(DETAILS)
                        .outcome(
                                ErrorType.HTTP_STATUS,
                                "status 503, expected 200-299\twith \"quotes\" and \\ and\nnewline"),
                500,
                1_000,
                List.of("Authorization", "X-Api-Key"));
        var empty = new Heartbeat(
                monitor + 1,
                3,
                null,
                null,
                slot,
                ProbeResult.invalidConfig(slot.plusMillis(1), "url: not an http(s) URL"),
                null,
                null,
                List.of());
        var noDns = new Heartbeat(
                monitor + 2,
                3,
                42,
                7L,
                slot,
                ProbeResult.at(slot.plusSeconds(1))
                        .timings(new PhaseTimings(null, 0.25, null, 1.0, 0.0, 1.5, 1.75, null))
                        .statusCode(200)
                        .responseSizeBytes(0L)
                        .remoteAddress("[2001:db8::1]:80")
                        .responseHeaders(Map.of("cf-cache-status", "DYNAMIC"))
                        .success(),
                null,
                null,
                List.of());

        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST.withCopyDirect(copyDirect), registry)) {
            assertThat(writer.offer(full)).isTrue();
            assertThat(writer.offer(empty)).isTrue();
            assertThat(writer.offer(noDns)).isTrue();
            awaitRows(db, monitor, monitor + 2, 3);
        }

        Map<String, Object> row = row(db, monitor);
        assertThat(row)
                .containsEntry("monitor_id", monitor)
                .containsEntry("datacenter_id", 3)
                .containsEntry("agent_id", 42)
                .containsEntry("lease_epoch", 7L)
                .containsEntry("success", false)
                .containsEntry("response_time_ms", 18.456)
                .containsEntry("response_size_bytes", 1_234L)
                .containsEntry("response_status_code", 503)
                .containsEntry("response_content_type", "application/json; charset=utf-8")
                .containsEntry("response_server", "nginx/1.27")
                .containsEntry("response_cache_status", "HIT from edge\t\"7\"")
                .containsEntry("dns_lookup_ms", 0.037)
                .containsEntry("tcp_connect_ms", 1.5)
                .containsEntry("tls_handshake_ms", 12.25)
                .containsEntry("time_to_first_byte_ms", 17.123)
                .containsEntry("server_processing_ms", 3.001)
                .containsEntry("content_transfer_ms", 0.999)
                .containsEntry("redirect_ms", 4.5)
                .containsEntry("redirect_count", 2)
                .containsEntry("remote_address", "192.0.2.1:443")
                .containsEntry("warning_threshold_ms", 500)
                .containsEntry("critical_threshold_ms", 1_000)
                .containsEntry("error_type", "HTTP_STATUS")
                .containsEntry("error_message", "status 503, expected 200-299\twith \"quotes\" and \\ and\nnewline")
                .containsEntry("raw_response_body", "{\"error\":\"down\"}\n\ttab \\ back nul é");
        assertThat(instant(row.get("scheduled_at"))).isEqualTo(slot);
        assertThat(instant(row.get("executed_at"))).isEqualTo(slot.plus(123_456, ChronoUnit.MICROS));
        assertThat(json(row.get("raw_request_headers")))
                .isEqualTo(Map.of("Authorization", "<redacted>", "X-Api-Key", "<redacted>"));
        var expectedHeaders = new LinkedHashMap<>(headers);
        expectedHeaders.put("X-Odd", "back\\slash\nnew line ünïcødé ✓ \uD83D\uDE00 nulend");
        assertThat(json(row.get("raw_response_headers"))).isEqualTo(expectedHeaders);
        assertThat(JSON.readTree(row.get("details").toString()))
                .as("a probe's details, every JSON kind, NUL dropped")
                .isEqualTo(
                        JSON.readTree(
                                """
                        {"rcode": "NOERROR", "answers": ["192.0.2.1", "2001:db8::1"], "query_ms": 0.5, "ttl": 300,
                         "big": 12345678901, "ok": true, "nested": {"quote": "a \\"b\\" \\\\ c\\n", "nul": "xy"}}
                        """));

        Map<String, Object> nulls = row(db, monitor + 1);
        assertThat(nulls)
                .containsEntry("success", false)
                .containsEntry("error_type", "INVALID_CONFIG")
                .containsEntry("error_message", "url: not an http(s) URL")
                .containsEntry("redirect_count", 0);
        for (String column : List.of(
                "agent_id",
                "lease_epoch",
                "response_time_ms",
                "response_size_bytes",
                "response_status_code",
                "response_content_type",
                "response_server",
                "response_cache_status",
                "dns_lookup_ms",
                "tcp_connect_ms",
                "tls_handshake_ms",
                "time_to_first_byte_ms",
                "server_processing_ms",
                "content_transfer_ms",
                "redirect_ms",
                "remote_address",
                "warning_threshold_ms",
                "critical_threshold_ms",
                "raw_request_headers",
                "raw_response_headers",
                "raw_response_body",
                "details")) {
            assertThat(nulls.get(column)).as(column).isNull();
        }

        Map<String, Object> partial = row(db, monitor + 2);
        assertThat(partial)
                .containsEntry("success", true)
                .containsEntry("tcp_connect_ms", 0.25)
                .containsEntry("content_transfer_ms", 0.0)
                .containsEntry("response_cache_status", "DYNAMIC")
                .containsEntry("remote_address", "[2001:db8::1]:80");
        assertThat(partial.get("dns_lookup_ms")).isNull();
        assertThat(partial.get("tls_handshake_ms")).isNull();
        assertThat(partial.get("redirect_ms")).isNull();
        assertThat(partial.get("error_type")).isNull();
        assertThat(partial.get("error_message")).isNull();
        assertThat(partial.get("raw_response_body")).isNull();
    }

    @ParameterizedTest(name = "copyDirect={0}")
    @ValueSource(booleans = {true, false})
    void aPushedBeatRoundTripsAndItsReceiptIsToldOnceItIsWritten(boolean copyDirect, TestDatabase db) throws Exception {
        int monitor = MONITORS.getAndAdd(10);
        Instant received = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var fail = new PushedBeat(
                monitor,
                received.plus(1, ChronoUnit.MICROS),
                received,
                BeatKind.FAIL,
                61_000.125,
                "EXIT_STATUS",
                "exit status 3",
                "tar: disk full\nnul\u0000 é",
                "{\"source\": \"http\", \"exit_status\": 3, \"rid\": \"x\"}");
        var log = new PushedBeat(monitor + 1, received, received, BeatKind.LOG, null, null, null, null, null);
        var outcomes = new java.util.concurrent.ConcurrentHashMap<Integer, Receipt.Outcome>();

        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST.withCopyDirect(copyDirect), registry)) {
            assertThat(writer.offer(HeartbeatRow.of(fail, o -> outcomes.putIfAbsent(monitor, o))))
                    .isTrue();
            assertThat(writer.offer(HeartbeatRow.of(log, o -> outcomes.putIfAbsent(monitor + 1, o))))
                    .isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 2);
            assertThat(outcomes).containsValues(Receipt.Outcome.WRITTEN).doesNotContainValue(Receipt.Outcome.LOST);
            assertThat(count(db, monitor, monitor + 1))
                    .as("written before its receipt is told")
                    .isEqualTo(2);
        }

        Map<String, Object> row = row(db, monitor);
        assertThat(row)
                .containsEntry("datacenter_id", 0)
                .containsEntry("success", false)
                .containsEntry("response_time_ms", 61_000.125)
                .containsEntry("error_type", "EXIT_STATUS")
                .containsEntry("error_message", "exit status 3")
                .containsEntry("beat_kind", "fail")
                .containsEntry("message", "tar: disk full\nnul é");
        assertThat(instant(row.get("scheduled_at"))).isEqualTo(received.plus(1, ChronoUnit.MICROS));
        assertThat(instant(row.get("executed_at"))).isEqualTo(received);
        assertThat(JSON.readTree(row.get("details").toString()))
                .isEqualTo(JSON.readTree("{\"source\": \"http\", \"exit_status\": 3, \"rid\": \"x\"}"));
        for (String column : List.of(
                "agent_id",
                "lease_epoch",
                "response_size_bytes",
                "response_status_code",
                "dns_lookup_ms",
                "tcp_connect_ms",
                "redirect_count",
                "remote_address",
                "warning_threshold_ms",
                "raw_request_headers",
                "raw_response_headers",
                "raw_response_body")) {
            assertThat(row.get(column)).as(column).isNull();
        }
        assertThat(row(db, monitor + 1))
                .containsEntry("success", true)
                .containsEntry("beat_kind", "log")
                .containsEntry("message", null)
                .containsEntry("details", null)
                .containsEntry("response_time_ms", null)
                .containsEntry("error_type", null);
    }

    @ParameterizedTest(name = "copyDirect={0}")
    @ValueSource(booleans = {true, false})
    void theSameSlotsWrittenTwiceGiveOneRowEachAndTheFirstWins(boolean copyDirect, TestDatabase db) {
        int monitor = MONITORS.getAndAdd(100);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST.withCopyDirect(copyDirect), registry)) {
            for (int i = 0; i < 100; i++) {
                writer.offer(heartbeat(monitor + i, slot, true));
            }
            awaitRows(db, monitor, monitor + 99, 100);
            for (int i = 0; i < 100; i++) {
                writer.offer(heartbeat(monitor + i, slot, false));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> registry.counter(HeartbeatMeters.DUPLICATES).count() == 100);
        }

        assertThat(count(db, monitor, monitor + 99)).isEqualTo(100);
        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ? AND success",
                        monitor,
                        monitor + 99))
                .isEqualTo(100);
        assertThat(registry.counter(HeartbeatMeters.WRITTEN).count()).isEqualTo(100);
    }

    @ParameterizedTest(name = "copyDirect={0}")
    @ValueSource(booleans = {true, false})
    void aBatchIsWrittenInSlotKeyOrderAndTheFirstOfferedOfASlotStillWins(boolean copyDirect, TestDatabase db) {
        int monitor = MONITORS.getAndAdd(20);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        // One batch of 40: the writer waits up to 10 s for it to fill, and it fills at once.
        var oneBatch = FAST.withCopyDirect(copyDirect).withBatchSize(40).withLinger(Duration.ofSeconds(10));
        try (var writer = HeartbeatWriter.start(db.dataSource(), oneBatch, registry)) {
            for (int i = 19; i >= 0; i--) { // completion order: the last monitor first
                writer.offer(heartbeat(monitor + i, slot.plusSeconds(i % 2), true));
            }
            for (int i = 19; i >= 0; i--) {
                writer.offer(heartbeat(monitor + i, slot.plusSeconds(i % 2), false));
            }
            awaitRows(db, monitor, monitor + 19, 20);
        }

        // id comes from a sequence as COPY reads the rows, so id order is the order they were written in.
        List<Integer> written = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT monitor_id FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ?" + " ORDER BY id")
                .bind(0, monitor)
                .bind(1, monitor + 19)
                .mapTo(Integer.class)
                .list());
        assertThat(written).isSorted().hasSize(20);
        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ? AND success",
                        monitor,
                        monitor + 19))
                .isEqualTo(20);
        assertThat(registry.counter(HeartbeatMeters.DUPLICATES).count()).isEqualTo(20);
        assertThat(registry.get(HeartbeatMeters.BATCH_DURATION).timer().count()).isEqualTo(1);
    }

    @Test
    void aBatchRetriedAfterItsCommitWasNotAcknowledgedDuplicatesNothing(TestDatabase db) throws Exception {
        int monitor = MONITORS.getAndAdd(10);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var first = new ArrayList<HeartbeatRow>();
        var retry = new ArrayList<HeartbeatRow>();
        for (int i = 0; i < 10; i++) {
            first.add(HeartbeatRow.of(heartbeat(monitor + i, slot, true)));
            retry.add(HeartbeatRow.of(heartbeat(monitor + i, slot, false)));
        }
        var inserter = new HeartbeatInserter(db.dataSource(), Duration.ofSeconds(10));

        assertThat(inserter.insertDirect(first)).isEqualTo(10);
        assertThatThrownBy(() -> inserter.insertDirect(retry.subList(5, 10)))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        assertThat(inserter.insertStaged(retry).inserted()).isZero();
        assertThat(inserter.insertStaged(first).inserted()).isZero();

        assertThat(count(db, monitor, monitor + 9)).isEqualTo(10);
        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ? AND success",
                        monitor,
                        monitor + 9))
                .isEqualTo(10);
    }

    @ParameterizedTest(name = "copyDirect={0}")
    @ValueSource(booleans = {true, false})
    void aBatchWithBadRowsWritesTheOthersAndCountsTheRejected(boolean copyDirect, TestDatabase db) {
        int monitor = MONITORS.getAndAdd(100);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var settings =
                FAST.withBatchSize(1_000).withLinger(Duration.ofMillis(500)).withCopyDirect(copyDirect);
        try (var writer = HeartbeatWriter.start(db.dataSource(), settings, registry)) {
            for (int i = 0; i < 100; i++) {
                if (i == 17) {
                    // Not an integer: refused when encoded, in offer.
                    assertThat(writer.offer(heartbeat(3_000_000_000L, slot, true)))
                            .isFalse();
                } else if (i == 40 || i == 64) {
                    // Fits the encoding but not timestamptz (4713 BC and later): refused by the database, 22008.
                    assertThat(writer.offer(heartbeat(monitor + i, Instant.parse("-5000-01-01T00:00:00Z"), true)))
                            .isTrue();
                } else {
                    assertThat(writer.offer(heartbeat(monitor + i, slot, true))).isTrue();
                }
            }
            awaitRows(db, monitor, monitor + 99, 97);
            await().atMost(Duration.ofSeconds(20)).until(() -> dropped("rejected") == 3);
        }

        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id IN (?, ?, ?)",
                        monitor + 17,
                        monitor + 40,
                        monitor + 64))
                .isZero();
        assertThat(registry.counter(HeartbeatMeters.WRITTEN).count()).isEqualTo(97);
    }

    @Test
    void aSlotOnADayWithoutAPartitionCreatesThePartition(TestDatabase db) {
        int monitor = MONITORS.getAndAdd(10);
        Instant slot = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        String partition = "api_heartbeats_"
                + LocalDate.ofInstant(slot, ZoneOffset.UTC).toString().replace("-", "");
        assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = ?", partition))
                .isZero();

        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST, registry)) {
            writer.offer(heartbeat(monitor, slot, true));
            awaitRows(db, monitor, monitor, 1);
        }

        assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = ?", partition))
                .isEqualTo(1);
        assertThat(registry.get(HeartbeatMeters.RETRIES)
                        .tag("reason", "partition")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(dropped("rejected")).isZero();
    }

    /** Uses a database of its own: making it unreachable must not disturb the other tests. */
    @Test
    void aDatabaseThatGoesAwayAndComesBackLosesNothingAndDuplicatesNothing(@Empty TestDatabase db) throws Exception {
        Migrations.migrate(db.dataSource());
        int monitor = 1;
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        try (var writerPool = Database.pool(db.connection(), "writer", 2);
                var writer = HeartbeatWriter.start(writerPool, FAST.withBatchSize(50), registry)) {
            for (int i = 0; i < 500; i++) {
                assertThat(writer.offer(heartbeat(monitor + i, slot, true))).isTrue();
            }
            awaitRows(db, monitor, monitor + 499, 500);

            db.setAllowConnections(false);
            try {
                for (int i = 500; i < 1_000; i++) {
                    assertThat(writer.offer(heartbeat(monitor + i, slot, true))).isTrue();
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> registry.get(HeartbeatMeters.RETRIES)
                                        .tag("reason", "unavailable")
                                        .counter()
                                        .count()
                                >= 3);
                for (int i = 1_000; i < 1_500; i++) {
                    assertThat(writer.offer(heartbeat(monitor + i, slot, true))).isTrue();
                }
                // The same slots again while away: a replay, must be ignored.
                for (int i = 400; i < 600; i++) {
                    assertThat(writer.offer(heartbeat(monitor + i, slot, false)))
                            .isTrue();
                }
            } finally {
                db.setAllowConnections(true);
            }
            awaitRows(db, monitor, monitor + 1_499, 1_500);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> registry.counter(HeartbeatMeters.DUPLICATES).count() == 200);
            assertThat(writer.stop(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(db.count("SELECT count(DISTINCT (monitor_id, datacenter_id, scheduled_at)) FROM api_heartbeats"))
                .isEqualTo(1_500);
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE NOT success"))
                .isZero();
        assertThat(registry.counter(HeartbeatMeters.WRITTEN).count()).isEqualTo(1_500);
        assertThat(dropped("queue_full") + dropped("shutdown") + dropped("rejected"))
                .isZero();
    }

    @Test
    void heartbeatsQueuedAtTheShutdownDeadlineAreCountedAsLost(@Empty TestDatabase db) {
        // Never migrated: every insert fails (no api_heartbeats table), as if the database were away.
        var settings = FAST.withQueueCapacity(20).withBatchSize(5);
        int accepted = 0;
        int refused = 0;
        var writer = HeartbeatWriter.start(db.dataSource(), settings, registry);
        for (int i = 0; i < 100; i++) {
            if (writer.offer(heartbeat(i, Instant.now(), true))) {
                accepted++;
            } else {
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(75);
        assertThat(dropped("queue_full")).isEqualTo(refused);

        assertThat(writer.stop(Duration.ofMillis(200))).isFalse();

        assertThat(dropped("shutdown")).isEqualTo(accepted);
        assertThat(writer.offer(heartbeat(1, Instant.now(), true))).isFalse();
        assertThat(dropped("shutdown")).isEqualTo(accepted + 1);
    }

    static Heartbeat heartbeat(long monitor, Instant slot, boolean success) {
        return new Heartbeat(
                monitor,
                1,
                1,
                1L,
                slot,
                ProbeResult.at(slot.plusMillis(monitor % 1_000))
                        .timings(new PhaseTimings(1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 15.0, null))
                        .statusCode(success ? 200 : null)
                        .responseSizeBytes(success ? 100L : null)
                        .remoteAddress("127.0.0.1:443")
                        .responseHeaders(Map.of("Content-Type", "text/plain"))
                        .outcome(success ? null : ErrorType.CONNECT, success ? null : "connection refused"),
                500,
                1_000,
                List.of("Accept"));
    }

    private double dropped(String reason) {
        return registry.get(HeartbeatMeters.DROPPED)
                .tag("reason", reason)
                .counter()
                .count();
    }

    private static long count(TestDatabase db, long from, long to) {
        return db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ?", from, to);
    }

    private static Map<String, Object> details() {
        var d = new LinkedHashMap<String, Object>();
        d.put("rcode", "NOERROR");
        d.put("answers", List.of("192.0.2.1", "2001:db8::1"));
        d.put("query_ms", 0.5);
        d.put("ttl", 300);
        d.put("big", 12_345_678_901L);
        d.put("ok", true);
        d.put("nested", Map.of("quote", "a \"b\" \\ c\n", "nul", "x\u0000y"));
        return d;
    }

    private static void awaitRows(TestDatabase db, long from, long to, long rows) {
        // A test pool's connection may have been ended by an outage test: ignore that and ask again.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> count(db, from, to) == rows);
    }

    private static Map<String, Object> row(TestDatabase db, int monitor) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM api_heartbeats WHERE monitor_id = ?")
                .bind(0, monitor)
                .mapToMap()
                .one());
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime t ? t.toInstant() : ((java.sql.Timestamp) timestamp).toInstant();
    }

    private static Map<String, String> json(Object value) throws Exception {
        return JSON.readValue(value.toString(), new TypeReference<Map<String, String>>() {});
    }
}
