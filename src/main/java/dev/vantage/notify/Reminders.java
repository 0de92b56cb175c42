package dev.vantage.notify;

import dev.vantage.store.OutboxDao;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * Reminders while an incident stays open. The monitor calls {@link #enqueue} on every tick inside its own fenced
 * evaluation transaction, so reminders are enqueued by the lease holder only, and exactly once per due period. Only an
 * outage is reminded of (the latest {@code firing} or {@code reminder}): a certificate or degraded incident is worth
 * one notice, and a page every {@code repeat_every} about a slow target would teach people to ignore the channel.
 */
public final class Reminders {
    private Reminders() {}

    /**
     * For every open incident that was notified, and every enabled channel with a {@code repeat_every}: when the
     * latest firing or reminder of that incident to that channel was enqueued at least {@code repeat_every} before
     * {@code now}, enqueues a reminder that repeats its payload with {@code event} "reminder", {@code at} now and the
     * same dedup key. A channel that never received the firing gets no reminder. One statement.
     *
     * @return how many reminders were enqueued
     */
    public static int enqueue(Handle handle, Instant now) {
        return handle.attach(OutboxDao.class).enqueueReminders(now);
    }
}
