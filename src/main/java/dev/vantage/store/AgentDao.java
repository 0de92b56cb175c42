package dev.vantage.store;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code agents} rows: each process registers itself and keeps its row fresh. */
public interface AgentDao {

    @SqlUpdate(
            """
            INSERT INTO agents (name, datacenter_id, hostname, pid, version, role)
            VALUES (:name, :datacenterId, :hostname, :pid, :version, :role)
            """)
    @GetGeneratedKeys("id")
    int register(
            @Bind("name") String name,
            @Bind("datacenterId") int datacenterId,
            @Bind("hostname") String hostname,
            @Bind("pid") long pid,
            @Bind("version") String version,
            @Bind("role") String role);

    @SqlUpdate(
            """
            UPDATE agents SET last_seen_at = now(), role = :role, lease_epoch = :epoch, lease_checked_at = :checkedAt,
                shards = :shards
            WHERE id = :id
            """)
    int touch(
            @Bind("id") int id,
            @Bind("role") String role,
            @Bind("epoch") Long epoch,
            @Bind("checkedAt") java.time.Instant checkedAt,
            @Bind("shards") String shards);

    @SqlUpdate(
            "UPDATE agents SET role = 'stopped', lease_epoch = NULL, shards = NULL, stopped_at = now(), last_seen_at = now()"
                    + " WHERE id = :id")
    int markStopped(@Bind("id") int id);
}
