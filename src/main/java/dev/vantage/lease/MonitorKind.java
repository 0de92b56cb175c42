package dev.vantage.lease;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The lease of the {@code vantage monitor} singleton: lock {@code (NAMESPACE, 0)}, epochs in the one row of
 * monitor_leases, release payload "monitor".
 *
 * <p>Lock key 0 never collides with a datacenter's lease: datacenters.id is a serial and starts at 1. The payload is
 * not a number, so no datacenter standby mistakes it for its own release, nor a monitor standby a datacenter's.
 */
record MonitorKind(String holderName) implements LeaseKind {

    /** The monitor's lock key; datacenter ids start at 1. */
    static final int LOCK_KEY = 0;

    static final String RELEASE_PAYLOAD = "monitor";

    /** PostgreSQL keeps 63 bytes of an application_name and shows other than printable ASCII as '?'. */
    private static final int MAX_APPLICATION_NAME = 63;

    // clock_timestamp() in the UPDATE is evaluated after the row lock is granted, so after every transaction of the
    // previous holder that held the row FOR SHARE (MonitorLease.check) has ended.
    private static final String BUMP =
            """
            INSERT INTO monitor_leases AS l (name, epoch, holder, acquired_at)
            VALUES ('monitor', 1, ?, clock_timestamp())
            ON CONFLICT (name) DO UPDATE
                SET epoch = l.epoch + 1, holder = excluded.holder, acquired_at = clock_timestamp(), released_at = NULL
            RETURNING epoch, acquired_at
            """;

    private static final String RELEASE =
            "UPDATE monitor_leases SET released_at = clock_timestamp() WHERE name = 'monitor' AND epoch = ?";

    private static final String HOLDER = "SELECT epoch, holder, acquired_at FROM monitor_leases WHERE name = 'monitor'";

    MonitorKind {
        if (holderName == null || holderName.isBlank()) {
            throw new IllegalArgumentException("the monitor lease needs a holder name");
        }
    }

    @Override
    public int lockKey() {
        return LOCK_KEY;
    }

    @Override
    public String releasePayload() {
        return RELEASE_PAYLOAD;
    }

    @Override
    public String applicationName() {
        // Cut and cleaned as PostgreSQL would, so that the lease finds its own earlier session by this name.
        var name = new StringBuilder();
        for (char ch : ("vantage-lease monitor " + holderName).toCharArray()) {
            if (name.length() == MAX_APPLICATION_NAME) {
                break;
            }
            name.append(ch >= 32 && ch < 127 ? ch : '?');
        }
        return name.toString();
    }

    @Override
    public String meterTag() {
        return "monitor";
    }

    @Override
    public String name() {
        return "the monitor lease";
    }

    @Override
    public String subject() {
        return "monitor lease";
    }

    @Override
    public String work() {
        return "evaluating";
    }

    @Override
    public Acquisition recordAcquisition(Connection c) throws SQLException {
        try (var s = c.prepareStatement(BUMP)) {
            s.setString(1, holderName);
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
            s.setLong(1, epoch);
            s.executeUpdate();
        }
    }

    @Override
    public Optional<Holder> findHolder(Connection c) throws SQLException {
        try (var s = c.prepareStatement(HOLDER);
                var rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Holder(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getObject(3, OffsetDateTime.class).toInstant()));
        }
    }

    @Override
    public String describe(Optional<LockHolder> lock, Optional<Holder> ledger) {
        return lock.map(l -> "held by " + l.describe()).orElse("released a moment ago")
                + ledger.map(h -> "; the ledger's last epoch is " + h.epoch() + ", taken by " + h.holder() + " at "
                                + h.acquiredAt())
                        .orElse("");
    }
}
