package dev.vantage.store;

import org.jdbi.v3.core.mapper.reflect.JdbiConstructor;

/**
 * A monitor assigned to a datacenter, joined with its schedule, as stored: JSON columns stay text here and are
 * validated when the snapshot is built, so that one malformed row never fails the whole load.
 *
 * @param headersBytes size of api_monitors.headers as PostgreSQL measured it; past {@link ConfigDao#MAX_HEADERS_BYTES}
 *     {@code headersJson} is null (not loaded). Null when not measured.
 * @param bodyBytes size of api_monitors.body; past {@link ConfigDao#MAX_BODY_BYTES} {@code body} is null (not loaded)
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
        Integer thresholdsCritical,
        Integer headersBytes,
        Integer bodyBytes) {

    @JdbiConstructor
    public MonitorRow {}

    /** A row whose sizes were not measured (built in code, not loaded). */
    public MonitorRow(
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
            Integer thresholdsCritical) {
        this(
                id,
                name,
                type,
                method,
                url,
                headersJson,
                body,
                settingsJson,
                enabled,
                timeoutMs,
                scheduleId,
                intervalSeconds,
                includeResponseBody,
                thresholdsWarning,
                thresholdsCritical,
                null,
                null);
    }

    /** Why the row was too large to load (naming the field, its size and the limit), or null when it was not. */
    public String oversized() {
        if (headersBytes != null && headersBytes > ConfigDao.MAX_HEADERS_BYTES) {
            return tooLarge("headers", headersBytes, ConfigDao.MAX_HEADERS_BYTES);
        }
        if (bodyBytes != null && bodyBytes > ConfigDao.MAX_BODY_BYTES) {
            return tooLarge("body", bodyBytes, ConfigDao.MAX_BODY_BYTES);
        }
        return null;
    }

    private static String tooLarge(String field, int bytes, int limit) {
        return field + ": " + bytes + " bytes, more than the limit of " + limit + " bytes (" + (limit >> 10)
                + " KiB); the value was not loaded";
    }
}
