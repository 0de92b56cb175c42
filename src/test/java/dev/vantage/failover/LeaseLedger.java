package dev.vantage.failover;

import dev.vantage.testing.DatacenterSeed;
import dev.vantage.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * What the database says about one datacenter's leases and heartbeats, read with SQL the way an operator would, and
 * the guarantees failover must keep, checked on every row written.
 */
final class LeaseLedger {
    private final TestDatabase db;
    private final DatacenterSeed seed;

    LeaseLedger(TestDatabase db, DatacenterSeed seed) {
        this.db = db;
        this.seed = seed;
    }

    /** One row of datacenter_lease_history. */
    record Epoch(long epoch, Integer holderAgentId, Instant acquiredAt, Instant releasedAt) {}

    /** An epoch and the first heartbeat rows written under it. */
    record FirstRows(
            long epoch, Integer holderAgentId, Instant acquiredAt, Instant firstExecuted, Instant firstInserted) {}

    /** One agents row. */
    record AgentRow(int id, String name, String role, Long leaseEpoch, Instant lastSeenAt) {}

    /** One heartbeat, reduced to what failover is about. */
    record Slot(long monitorId, Instant scheduledAt, Long epoch, Integer agentId) {}

    List<Epoch> history() {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT epoch, holder_agent_id, acquired_at, released_at FROM datacenter_lease_history
                        WHERE datacenter_id = ? ORDER BY epoch
                        """)
                .bind(0, seed.datacenterId())
                .map((rs, ctx) -> new Epoch(rs.getLong(1), (Integer) rs.getObject(2), instant(rs, 3), instant(rs, 4)))
                .list());
    }

    Optional<Epoch> current() {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT epoch, holder_agent_id, acquired_at, released_at FROM datacenter_leases
                        WHERE datacenter_id = ?
                        """)
                .bind(0, seed.datacenterId())
                .map((rs, ctx) -> new Epoch(rs.getLong(1), (Integer) rs.getObject(2), instant(rs, 3), instant(rs, 4)))
                .findOne());
    }

    Epoch epoch(long epoch) {
        return history().stream()
                .filter(e -> e.epoch() == epoch)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no epoch " + epoch + " in datacenter_lease_history"));
    }

    Optional<AgentRow> agent(String name) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT id, name, role, lease_epoch, last_seen_at FROM agents
                        WHERE name = ? AND datacenter_id = ? ORDER BY id DESC LIMIT 1
                        """)
                .bind(0, name)
                .bind(1, seed.datacenterId())
                .map((rs, ctx) -> new AgentRow(
                        rs.getInt(1), rs.getString(2), rs.getString(3), (Long) rs.getObject(4), instant(rs, 5)))
                .findOne());
    }

    /** The first epoch after {@code epoch} that has written rows, with its first rows; empty until there is one. */
    Optional<FirstRows> firstRowsAfter(long epoch) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT l.epoch, l.holder_agent_id, l.acquired_at, min(b.executed_at), min(b.inserted_at)
                        FROM datacenter_lease_history l
                        JOIN api_heartbeats b ON b.datacenter_id = l.datacenter_id AND b.lease_epoch = l.epoch
                        WHERE l.datacenter_id = ? AND l.epoch > ?
                        GROUP BY l.epoch, l.holder_agent_id, l.acquired_at
                        ORDER BY l.epoch LIMIT 1
                        """)
                .bind(0, seed.datacenterId())
                .bind(1, epoch)
                .map((rs, ctx) -> new FirstRows(
                        rs.getLong(1), (Integer) rs.getObject(2), instant(rs, 3), instant(rs, 4), instant(rs, 5)))
                .findOne());
    }

    /** Whether the epoch has a row written within the last {@code seconds} (database clock). */
    boolean writingRecently(long epoch, int seconds) {
        return db.count(
                        """
                        SELECT count(*) FROM api_heartbeats WHERE datacenter_id = ? AND lease_epoch = ?
                          AND inserted_at > now() - make_interval(secs => ?)
                        """,
                        seed.datacenterId(),
                        epoch,
                        seconds)
                > 0;
    }

    /**
     * The latest of the monitors' first slots under {@code epoch}, once every monitor has one (empty before): from that
     * slot on, the epoch's holder probes every monitor.
     */
    Optional<Instant> everyMonitorProbedFrom(long epoch) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT count(*), max(first_slot) FROM (
                          SELECT min(scheduled_at) AS first_slot FROM api_heartbeats
                          WHERE datacenter_id = ? AND lease_epoch = ? GROUP BY monitor_id) firsts
                        """)
                .bind(0, seed.datacenterId())
                .bind(1, epoch)
                .map((rs, ctx) -> rs.getInt(1) < seed.monitorIds().size()
                        ? Optional.<Instant>empty()
                        : Optional.of(instant(rs, 2)))
                .one());
    }

    /** Every slot in {@code [from, to]} by monitor, in order. */
    Map<Long, List<Instant>> slotsByMonitor(Instant from, Instant to) {
        var byMonitor = new LinkedHashMap<Long, List<Instant>>();
        for (Slot s : slots(from, to)) {
            byMonitor.computeIfAbsent(s.monitorId(), k -> new ArrayList<>()).add(s.scheduledAt());
        }
        return byMonitor;
    }

    List<Slot> slots(Instant from, Instant to) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT monitor_id, scheduled_at, lease_epoch, agent_id FROM api_heartbeats
                        WHERE datacenter_id = ? AND scheduled_at BETWEEN ? AND ? ORDER BY monitor_id, scheduled_at
                        """)
                .bind(0, seed.datacenterId())
                .bind(1, utc(from))
                .bind(2, utc(to))
                .map((rs, ctx) ->
                        new Slot(rs.getLong(1), instant(rs, 2), (Long) rs.getObject(3), (Integer) rs.getObject(4)))
                .list());
    }

    /** Problems with the slots of {@code [from, to]}: empty when every monitor has every slot exactly once. */
    List<String> gaps(Instant from, Instant to) {
        return SlotGaps.find(slotsByMonitor(from, to), seed.monitorIds(), from, to, seed.interval());
    }

    long count(String where, Object... args) {
        var all = new Object[args.length + 1];
        all[0] = seed.datacenterId();
        System.arraycopy(args, 0, all, 1, args.length);
        return db.count("SELECT count(*) FROM api_heartbeats WHERE datacenter_id = ? AND " + where, all);
    }

    /**
     * The guarantees of failover over every heartbeat of the datacenter, each a query that must find nothing:
     *
     * <ol>
     *   <li>every row carries a lease epoch, and that epoch's holder is the row's agent;
     *   <li>a leader probes only slots at or after its own acquisition;
     *   <li>the fence: no row of an epoch for a slot at or after the acquisition of any later epoch;
     *   <li>one row per slot (the unique key says so; checked anyway, it is the point);
     *   <li>epochs are 1, 2, 3, … with no gap, and datacenter_leases shows the last one (per shard).
     * </ol>
     */
    List<String> violations() {
        return db.jdbi().withHandle(h -> {
            var found = new ArrayList<String>();
            found.addAll(
                    rows(
                            h,
                            "row without a lease epoch or a known epoch, or from an agent that did not hold it",
                            """
                    SELECT b.monitor_id, b.scheduled_at, b.lease_epoch, b.agent_id, l.holder_agent_id
                    FROM api_heartbeats b
                    LEFT JOIN datacenter_lease_history l ON l.datacenter_id = b.datacenter_id AND l.epoch = b.lease_epoch
                        AND l.shard = vantage_monitor_shard(b.monitor_id, (SELECT d.shards FROM datacenters d WHERE d.id = b.datacenter_id))
                    WHERE b.datacenter_id = :dc
                      AND (b.lease_epoch IS NULL OR l.epoch IS NULL OR b.agent_id IS DISTINCT FROM l.holder_agent_id)
                    """));
            found.addAll(
                    rows(
                            h,
                            "slot before its own epoch's acquisition",
                            """
                    SELECT b.monitor_id, b.scheduled_at, b.lease_epoch, b.agent_id, l.acquired_at
                    FROM api_heartbeats b
                    JOIN datacenter_lease_history l ON l.datacenter_id = b.datacenter_id AND l.epoch = b.lease_epoch
                        AND l.shard = vantage_monitor_shard(b.monitor_id, (SELECT d.shards FROM datacenters d WHERE d.id = b.datacenter_id))
                    WHERE b.datacenter_id = :dc AND b.scheduled_at < l.acquired_at
                    """));
            found.addAll(
                    rows(
                            h,
                            "row of an older epoch in a slot a later epoch covers (fence broken)",
                            """
                    SELECT b.monitor_id, b.scheduled_at, b.lease_epoch, b.agent_id, min(l.epoch), min(l.acquired_at)
                    FROM api_heartbeats b
                    JOIN datacenter_lease_history l ON l.datacenter_id = b.datacenter_id AND l.epoch > b.lease_epoch
                        AND l.shard = vantage_monitor_shard(b.monitor_id, (SELECT d.shards FROM datacenters d WHERE d.id = b.datacenter_id))
                    WHERE b.datacenter_id = :dc AND b.scheduled_at >= l.acquired_at
                    GROUP BY b.monitor_id, b.scheduled_at, b.lease_epoch, b.agent_id
                    """));
            found.addAll(
                    rows(
                            h,
                            "slot written more than once",
                            """
                    SELECT monitor_id, scheduled_at, count(*) FROM api_heartbeats WHERE datacenter_id = :dc
                    GROUP BY monitor_id, scheduled_at HAVING count(*) > 1
                    """));
            found.addAll(
                    rows(
                            h,
                            "epoch history with a hole, or a current lease that is not its last epoch",
                            """
                    SELECT 'history of shard ' || shard, count(*), min(epoch), max(epoch) FROM datacenter_lease_history
                    WHERE datacenter_id = :dc GROUP BY shard
                    HAVING count(*) > 0 AND (min(epoch) <> 1 OR max(epoch) <> count(*))
                    UNION ALL
                    SELECT 'current of shard ' || l.shard, l.epoch, (SELECT max(epoch) FROM datacenter_lease_history h
                                               WHERE h.datacenter_id = l.datacenter_id AND h.shard = l.shard), NULL
                    FROM datacenter_leases l WHERE l.datacenter_id = :dc AND l.epoch <> (
                        SELECT max(epoch) FROM datacenter_lease_history h
                        WHERE h.datacenter_id = l.datacenter_id AND h.shard = l.shard)
                    """));
            return found;
        });
    }

    private List<String> rows(Handle h, String what, String sql) {
        return h
                .createQuery(sql)
                .bind("dc", seed.datacenterId())
                .map((rs, ctx) -> {
                    var values = new ArrayList<String>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        values.add(rs.getMetaData().getColumnLabel(i) + "=" + rs.getString(i));
                    }
                    return what + ": " + String.join(", ", values);
                })
                .list()
                .stream()
                .limit(20)
                .toList();
    }

    /** The agents rows and the lease history, for failure messages. */
    String describe() {
        var text = new StringBuilder("--- datacenter_lease_history ---\n");
        history().forEach(e -> text.append(e).append('\n'));
        text.append("--- agents ---\n");
        db.jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT id, name, pid, role, lease_epoch, lease_checked_at, last_seen_at, stopped_at"
                                        + " FROM agents ORDER BY id")
                        .mapToMap()
                        .list())
                .forEach(r -> text.append(r).append('\n'));
        return text.toString();
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        var value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
