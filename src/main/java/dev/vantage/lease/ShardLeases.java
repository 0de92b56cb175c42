package dev.vantage.lease;

import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.loop.BackgroundLoop;
import dev.vantage.loop.Backoff;
import dev.vantage.store.DatacenterRow;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The leases of an agent replica over its datacenter's shards: monitor {@code m} is in shard {@code m mod shards}, each
 * shard has its own {@link DatacenterLease} (lock, epochs, fence, hand-over), and this replica probes the monitors of
 * the shards it holds.
 *
 * <p>With one shard (the default) this is the datacenter lease as it always was: one leader, the others stand by.
 * With more, every live replica holds a fair share, balanced on its own thread every {@link #BALANCE_INTERVAL}:
 *
 * <ul>
 *   <li>The live replicas are the agents of the datacenter whose member lock {@code (MEMBER_CLASS, agent id)} is held:
 *       a replica holds its own on the balancer's connection, so a replica that dies leaves the set at once.
 *   <li>With {@code n} live replicas in id order, the one of rank {@code r} should hold {@code shards / n} shards, one
 *       more when {@code r < shards mod n}. A replica below its share wants locks: its shard standbys hold a session,
 *       try every round and wake on releases. One at or above it closes those sessions and tries a free lock only every
 *       {@link LeaseLoop#UNWANTED_ROUNDS} rounds, so a shard nobody wants is still taken, but a released one goes to a
 *       replica that wants it.
 *   <li>A replica above its share while another is below hands off its surplus ({@link LeaseLoop#handOff()}): it
 *       unlocks, the wanting replica takes the lock and records the next epoch, and the giver probes the slots before
 *       that epoch's start. Every slot is probed once: the writer's fence refuses a row of an older epoch for a slot
 *       the newer one covers.
 *   <li>A replica that dies frees its locks and its member lock with its sessions; the others see it gone within a
 *       balance interval and, now below their share, try the free locks at once.
 * </ul>
 */
public final class ShardLeases implements Leadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardLeases.class);

    /**
     * How often the balancer reads who is live and who holds what: a replica that dies is seen within this, and the
     * others start taking its shards.
     */
    static final Duration BALANCE_INTERVAL = Duration.ofMillis(250);
    /** A balancer that cannot read the live set retries after BALANCE_INTERVAL at first, backing off to this. */
    static final Duration MAX_BALANCE_BACKOFF = Duration.ofSeconds(2);

    /** First key of the member locks: 'VAMB' in ASCII. The second is the agent id. */
    static final int MEMBER_CLASS = 0x56414D42;

    private static final String MEMBERS =
            """
            SELECT a.id FROM agents a
            WHERE a.datacenter_id = ? AND a.stopped_at IS NULL
              AND EXISTS (SELECT 1 FROM pg_locks l
                          WHERE l.locktype = 'advisory' AND l.granted
                            AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                            AND l.classid = ?::int8::oid AND l.objid = a.id::oid AND l.objsubid = 2)
            ORDER BY a.id
            """;

    /** Shards whose lock is held now, by the agent that recorded their current epoch. */
    private static final String HELD =
            """
            SELECT s.holder_agent_id, count(*) FROM datacenter_leases s
            WHERE s.datacenter_id = ? AND s.shard < ?
              AND EXISTS (SELECT 1 FROM pg_locks l
                          WHERE l.locktype = 'advisory' AND l.granted
                            AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                            AND l.classid = (?::int8 + s.shard)::oid AND l.objid = s.datacenter_id::oid
                            AND l.objsubid = 2)
            GROUP BY s.holder_agent_id
            """;

    /** What the agent shows in its agents row. */
    public record Status(String role, Long epoch, Instant checkedAt, String shards) {}

    private final DatacenterLease[] leases;
    private final int datacenterId;
    private final int agentId;
    private final DbConnection db;
    private final LeaseSettings settings;
    private final String applicationName;
    private final String datacenterCode;
    private final MeterRegistry meters;
    /** Started by {@link #ready} with more than one shard. */
    private volatile BackgroundLoop balancer;
    /** Guarded by this: set by {@link #close}. */
    private boolean closed;

    private final Map<String, String> mdc;

    /** Until {@link #ready()}, a replica of a sharded datacenter takes no shard and is no member. */
    private volatile boolean ready;

    private volatile boolean wantsMore;

    private final java.util.concurrent.atomic.AtomicBoolean balancing = new java.util.concurrent.atomic.AtomicBoolean();

    // Balancer thread only.
    private Connection session;
    private String lastShare;
    private long quietUntilNanos = System.nanoTime();

    private ShardLeases(
            DbConnection db,
            int datacenterId,
            String datacenterCode,
            int shards,
            int agentId,
            LeaseSettings settings,
            Clock clock,
            MeterRegistry meters,
            Runnable onRoleChange) {
        this.db = db;
        this.datacenterId = datacenterId;
        this.agentId = agentId;
        this.settings = settings;
        this.meters = meters;
        this.datacenterCode = datacenterCode;
        this.applicationName = "vantage-shards dc=" + datacenterCode + " agent=" + agentId;
        var context = MDC.getCopyOfContextMap();
        this.mdc = context == null ? Map.of() : Map.copyOf(context);
        this.leases = new DatacenterLease[shards];
        try {
            for (int shard = 0; shard < shards; shard++) {
                leases[shard] = DatacenterLease.start(
                        db,
                        datacenterId,
                        datacenterCode,
                        shard,
                        shards,
                        agentId,
                        settings,
                        clock,
                        meters,
                        onRoleChange);
                if (shards > 1) {
                    leases[shard].wantedWhen(() -> wantsMore, () -> ready);
                }
            }
        } catch (RuntimeException | Error e) {
            closeLeases();
            throw e;
        }
    }

    /**
     * Starts one lease per shard (each on its own dedicated connection, starting as a standby) and, with more than
     * one shard, the balancer (one more connection).
     *
     * @param onRoleChange called on a lease thread after every acquisition and loss; must not block
     */
    public static ShardLeases start(
            DbConnection db,
            int datacenterId,
            String datacenterCode,
            int shards,
            int agentId,
            LeaseSettings settings,
            Clock clock,
            MeterRegistry meters,
            Runnable onRoleChange) {
        if (shards < 1 || shards > 64) {
            throw new IllegalArgumentException("shards must be between 1 and 64, not " + shards);
        }
        return new ShardLeases(
                db, datacenterId, datacenterCode, shards, agentId, settings, clock, meters, onRoleChange);
    }

    /**
     * This replica can probe now (its scheduler runs and has its monitors): with more than one shard, it joins the
     * live set (takes its member lock) and takes or is handed its share from now on. A shard it took before it could
     * probe it would lose the slots between the giver's last and its own first probe. With one shard the lease has
     * been taken or waited for since the start, as before shards. Idempotent.
     */
    public synchronized void ready() {
        if (!closed && leases.length > 1 && balancing.compareAndSet(false, true)) {
            ready = true;
            wantsMore = true; // until the first round says otherwise: a datacenter starting at once has no holder
            for (DatacenterLease lease : leases) {
                lease.wake();
            }
            balancer = BackgroundLoop.named(
                            "shard-balancer",
                            "Shard balancer of datacenter " + datacenterCode
                                    + " (taking free shards, handing none off)",
                            log,
                            meters)
                    .context(mdc)
                    .every(BALANCE_INTERVAL)
                    .backoff(BALANCE_INTERVAL, MAX_BALANCE_BACKOFF)
                    .start(this::balance);
        }
    }

    public int shards() {
        return leases.length;
    }

    @Override
    public boolean leading() {
        for (DatacenterLease lease : leases) {
            if (lease.leading()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public OptionalLong admit(long monitorId, Instant slot) {
        return leases[DatacenterRow.shardOf(monitorId, leases.length)].admit(monitorId, slot);
    }

    @Override
    public boolean keep(long monitorId, long epoch, Instant slot) {
        return leases[DatacenterRow.shardOf(monitorId, leases.length)].keep(monitorId, epoch, slot);
    }

    /**
     * Role "leader" while this replica leads a shard, with the epoch when the datacenter has one shard, and the
     * shards it leads ("0-3,8").
     */
    public Status status() {
        List<Integer> held = new ArrayList<>();
        Instant checked = null;
        for (DatacenterLease lease : leases) {
            var s = lease.status();
            if (s.checkedAt() != null && (checked == null || s.checkedAt().isAfter(checked))) {
                checked = s.checkedAt();
            }
            if (lease.leading()) {
                held.add(lease.shard());
            }
        }
        Long epoch = leases.length == 1 ? leases[0].status().epoch() : null;
        return new Status(held.isEmpty() ? "standby" : "leader", epoch, checked, held.isEmpty() ? null : ranges(held));
    }

    /** "0-3,8" for shards 0, 1, 2, 3 and 8. */
    static String ranges(List<Integer> sorted) {
        var out = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(sorted.get(i));
            if (j > i) {
                out.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }

    /**
     * What a replica of rank {@code rank} among {@code live} replicas should hold: {@code shards / live}, one more
     * for the first {@code shards mod live}.
     */
    static int share(int shards, int live, int rank) {
        return shards / live + (rank < shards % live ? 1 : 0);
    }

    /** One round; on a failure the session is dropped and the leases take whatever is free until a round works. */
    private Duration balance() throws SQLException {
        try {
            rebalance();
        } catch (SQLException e) {
            closeSession();
            wantsMore = true; // blind: take whatever is free, hand nothing off
            throw e;
        }
        return Backoff.jittered(BALANCE_INTERVAL);
    }

    private void rebalance() throws SQLException {
        if (session == null) {
            session = openSession();
        }
        List<Integer> members = new ArrayList<>();
        try (var s = session.prepareStatement(MEMBERS)) {
            s.setInt(1, datacenterId);
            s.setInt(2, MEMBER_CLASS);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    members.add(rs.getInt(1));
                }
            }
        }
        Map<Integer, Integer> heldBy = new HashMap<>();
        try (var s = session.prepareStatement(HELD)) {
            s.setInt(1, datacenterId);
            s.setInt(2, leases.length);
            s.setInt(3, LeaseSession.NAMESPACE);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    heldBy.put(rs.getInt(1), rs.getInt(2));
                }
            }
        }
        int rank = members.indexOf(agentId);
        if (rank < 0) {
            wantsMore = true; // our member lock is not visible (yet): take what is free
            return;
        }
        int target = share(leases.length, members.size(), rank);
        List<DatacenterLease> holding = new ArrayList<>();
        for (DatacenterLease lease : leases) {
            if (lease.holding()) {
                holding.add(lease);
            }
        }
        boolean wanted = wantsMore;
        wantsMore = holding.size() < target;
        if (wantsMore && !wanted) {
            for (DatacenterLease lease : leases) {
                lease.wake(); // a replica left: take its shards now, not at the next retry
            }
        }
        String share = members.size() + " live, " + target + " for this replica";
        if (!share.equals(lastShare)) {
            log.info(
                    "Shards of datacenter {}: {} live replicas ({}), this one's share is {} of {}",
                    datacenterId,
                    members.size(),
                    members,
                    target,
                    leases.length);
            lastShare = share;
        }
        if (holding.size() <= target || System.nanoTime() - quietUntilNanos < 0) {
            return;
        }
        int deficit = 0;
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i) != agentId) {
                deficit +=
                        Math.max(0, share(leases.length, members.size(), i) - heldBy.getOrDefault(members.get(i), 0));
            }
        }
        int surplus = Math.min(holding.size() - target, deficit);
        for (int i = 0; i < surplus; i++) {
            holding.get(holding.size() - 1 - i).handOff();
        }
        if (surplus > 0) {
            log.info(
                    "Handing off {} of this replica's {} shards of datacenter {} (its share is {})",
                    surplus,
                    holding.size(),
                    datacenterId,
                    target);
            // Let the hand-offs finish and the ledger show them before deciding again.
            quietUntilNanos = System.nanoTime()
                    + LeaseLoop.HAND_OFF_WAIT.plus(settings.retryInterval()).toNanos();
        }
    }

    private Connection openSession() throws SQLException {
        var timeouts = new Properties();
        timeouts.setProperty(
                "socketTimeout",
                Long.toString(Math.max(1, settings.checkTimeout().toSeconds() * 2)));
        Connection c = Database.dedicated(db, applicationName, timeouts);
        try {
            c.setAutoCommit(true);
            long seconds = settings.serverTimeout().toSeconds();
            try (var s = c.createStatement()) {
                // A frozen or cut-off replica leaves the live set when the server drops this session.
                s.execute("SET idle_session_timeout = '" + seconds + "s'");
                s.execute("SET tcp_user_timeout = " + seconds * 1000);
            }
            try (var s = c.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
                s.setInt(1, MEMBER_CLASS);
                s.setInt(2, agentId);
                s.executeQuery().close();
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // the server drops the session, and the member lock with it
            }
            session = null;
        }
    }

    /** Stops balancing, then releases every shard (standbys take over at once). Idempotent. */
    @Override
    public void close() {
        BackgroundLoop b;
        synchronized (this) {
            closed = true; // a ready() after this starts no balancer
            b = balancer;
        }
        if (b != null) {
            b.stop(settings.checkTimeout().multipliedBy(4));
            closeSession();
        }
        closeLeases();
    }

    private void closeLeases() {
        // In parallel: each release waits for its lease thread, and a standby takes each shard as it is released.
        List<Thread> closers = new ArrayList<>();
        for (DatacenterLease lease : leases) {
            if (lease != null) {
                closers.add(Thread.ofVirtual().start(lease::close));
            }
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
