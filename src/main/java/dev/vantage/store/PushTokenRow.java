package dev.vantage.store;

/**
 * A push monitor's ping credential.
 *
 * @param id api_monitors.id
 * @param enabled api_monitors.enabled: a disabled monitor's pings are refused like an unknown token's
 * @param pushToken api_monitors.push_token, a secret: never logged
 */
public record PushTokenRow(int id, boolean enabled, String pushToken) {
    @Override
    public String toString() {
        return "PushTokenRow[id=" + id + ", enabled=" + enabled + ", pushToken=***]";
    }
}
