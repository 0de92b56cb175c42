package dev.vantage.store;

/**
 * A monitor assigned to a datacenter, joined with its schedule, as stored: JSON columns stay text here and are
 * validated when the snapshot is built, so that one malformed row never fails the whole load.
 */
public record MonitorRow(
        long id,
        String name,
        String type,
        String method,
        String url,
        String headersJson,
        String body,
        String settingsJson,
        boolean enabled,
        Integer timeoutMs,
        long scheduleId,
        int intervalSeconds,
        boolean includeResponseBody,
        Integer thresholdsWarning,
        Integer thresholdsCritical) {}
