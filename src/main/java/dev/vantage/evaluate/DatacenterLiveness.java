package dev.vantage.evaluate;

import java.time.Instant;

/**
 * What the {@code agents} rows say about one watched datacenter (one that has ever registered an agent).
 *
 * @param watchedSince when the first of its agents that has not stopped gracefully registered (the start of the
 *     current watch), or null when every agent stopped gracefully
 * @param lastLeaderSeenAt when a leader agent was last seen: the last refresh of a running leader, or the graceful
 *     stop of the agent that held the latest lease epoch; null if never
 * @param stoppedAt when every agent of the datacenter had stopped gracefully (the last {@code stopped_at}); null
 *     while any agent runs or vanished without stopping
 */
public record DatacenterLiveness(int datacenterId, Instant watchedSince, Instant lastLeaderSeenAt, Instant stoppedAt) {

    /** A datacenter with a running agent, watched since {@code watchedSince}. */
    public static DatacenterLiveness running(int datacenterId, Instant watchedSince, Instant lastLeaderSeenAt) {
        return new DatacenterLiveness(datacenterId, watchedSince, lastLeaderSeenAt, null);
    }

    /** Every agent stopped gracefully: an operator's act, not an outage. */
    public boolean stopped() {
        return stoppedAt != null;
    }
}
