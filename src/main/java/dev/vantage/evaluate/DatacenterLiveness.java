package dev.vantage.evaluate;

import java.time.Instant;

/**
 * Whether a watched datacenter has a live leader agent.
 *
 * @param lastLeaderSeenAt when its leader agent was last seen, or null if never
 */
public record DatacenterLiveness(int datacenterId, Instant lastLeaderSeenAt) {}
