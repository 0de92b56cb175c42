package dev.vantage.store;

import java.time.Duration;

/**
 * A {@code notification_channels} row. {@code settingsJson} holds credentials: this record's {@link #toString()} leaves
 * it out.
 *
 * @param repeatEvery the reminder period, null for no reminders
 */
public record ChannelRow(
        int id,
        String name,
        String type,
        String settingsJson,
        boolean enabled,
        boolean isDefault,
        Duration repeatEvery) {
    @Override
    public String toString() {
        return "ChannelRow[id=" + id + ", name=" + name + ", type=" + type + ", enabled=" + enabled + ", isDefault="
                + isDefault + ", repeatEvery=" + repeatEvery + "]";
    }
}
