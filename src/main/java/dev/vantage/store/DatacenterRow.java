package dev.vantage.store;

/** A row of {@code datacenters}; {@code shards} is how many shard leases split its monitors (1: one leader). */
public record DatacenterRow(int id, String code, String name, int shards) {

    /**
     * The shard of a monitor in a datacenter of {@code shards} shards: its id mod {@code shards}, as the SQL function
     * {@code vantage_monitor_shard} (V14) computes it for the writer's fence.
     */
    public static int shardOf(long monitorId, int shards) {
        return (int) Math.floorMod(monitorId, (long) Math.max(1, shards));
    }
}
