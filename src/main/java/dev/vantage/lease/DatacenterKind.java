package dev.vantage.lease;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The agent's lease of one shard of a datacenter: lock {@code (NAMESPACE + shard, datacenter id)}, epochs in the
 * shard's rows of datacenter_leases and datacenter_lease_history, release payload the datacenter id (shard 0) or
 * {@code id:shard}. A datacenter of one shard has only shard 0, whose lock, payload and names are those of the lease
 * before shards.
 */
record DatacenterKind(int datacenterId, String datacenterCode, int shard, int shards, int agentId)
        implements LeaseKind {

    /**
     * How far after the moment it takes the lock a new leader's coverage starts. Its scheduler passes slots as a
     * standby until it has read the new epoch back; a slot in between would be nobody's (the old epoch fenced off,
     * the new one not yet admitting). Starting a little later leaves those slots to the old leader, if it still
     * runs, and the fence lets its rows for them through.
     */
    static final Duration COVERAGE_DELAY = Duration.ofMillis(200);

    // The owner's function (V10) checks that this session holds the advisory lock and, for an agent login, that the
    // login is bound to this datacenter; it bumps the epoch by exactly one. Its clock_timestamp() is evaluated after
    // the row lock is granted, so after every writer transaction that holds the row FOR SHARE has committed: every row
    // such a transaction wrote has an earlier slot.
    private static final String BUMP =
            "SELECT lease_epoch, lease_acquired_at FROM vantage_take_shard_lease(?, ?, ?, make_interval(secs => ?))";

    private static final String RELEASE =
            """
            WITH lease AS (
                UPDATE datacenter_leases SET released_at = clock_timestamp()
                WHERE datacenter_id = ? AND shard = ? AND epoch = ? RETURNING datacenter_id, shard, epoch, released_at)
            UPDATE datacenter_lease_history h SET released_at = lease.released_at
            FROM lease WHERE h.datacenter_id = lease.datacenter_id AND h.shard = lease.shard AND h.epoch = lease.epoch
            """;

    private static final String HOLDER =
            """
            SELECT l.epoch, l.holder_agent_id, a.name, l.acquired_at
            FROM datacenter_leases l LEFT JOIN agents a ON a.id = l.holder_agent_id
            WHERE l.datacenter_id = ? AND l.shard = ?
            """;

    @Override
    public int lockKey() {
        return datacenterId;
    }

    @Override
    public String releasePayload() {
        return shard == 0 ? Integer.toString(datacenterId) : datacenterId + ":" + shard;
    }

    @Override
    public String applicationName() {
        return "vantage-lease dc=" + datacenterCode + (shards > 1 ? " shard=" + shard : "") + " agent=" + agentId;
    }

    @Override
    public String meterTag() {
        return "datacenter";
    }

    @Override
    public String name() {
        return "datacenter:" + datacenterCode + (shards > 1 ? " shard " + shard + "/" + shards : "");
    }

    @Override
    public String subject() {
        return "lock for " + name();
    }

    @Override
    public String work() {
        return "probing";
    }

    @Override
    public Acquisition recordAcquisition(Connection c) throws SQLException {
        try (var s = c.prepareStatement(BUMP)) {
            s.setInt(1, datacenterId);
            s.setInt(2, shard);
            s.setInt(3, agentId);
            s.setDouble(4, COVERAGE_DELAY.toMillis() / 1000.0);
            try (var rs = s.executeQuery()) {
                rs.next();
                return new Acquisition(
                        rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant());
            }
        }
    }

    @Override
    public void recordRelease(Connection c, long epoch) throws SQLException {
        try (var s = c.prepareStatement(RELEASE)) {
            s.setInt(1, datacenterId);
            s.setInt(2, shard);
            s.setLong(3, epoch);
            s.executeUpdate();
        }
    }

    @Override
    public Optional<Holder> findHolder(Connection c) throws SQLException {
        try (var s = c.prepareStatement(HOLDER)) {
            s.setInt(1, datacenterId);
            s.setInt(2, shard);
            try (var rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Integer agent = (Integer) rs.getObject(2);
                String agentName = rs.getString(3);
                return Optional.of(new Holder(
                        rs.getLong(1),
                        "agent " + agent + (agentName == null ? "" : " '" + agentName + "'"),
                        rs.getObject(4, OffsetDateTime.class).toInstant()));
            }
        }
    }

    @Override
    public String describe(Optional<LockHolder> lock, Optional<Holder> ledger) {
        return lock.map(l -> "the lock is held by " + l.describe()).orElse("the lock was released a moment ago")
                + ledger.map(h -> "; the ledger's last epoch is " + h.epoch() + ", taken by " + h.holder() + " at "
                                + h.acquiredAt())
                        .orElse("");
    }
}
