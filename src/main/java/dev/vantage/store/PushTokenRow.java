package dev.vantage.store;

/**
 * A push monitor's ping credential, and the name NATS and Redis senders use for it.
 *
 * @param id api_monitors.id
 * @param enabled api_monitors.enabled: a disabled monitor's pings are refused like an unknown token's
 * @param pushToken api_monitors.push_token, a secret: never logged
 * @param pushSubject api_monitors.push_subject, or null (HTTP pings only); no secret
 */
public record PushTokenRow(int id, boolean enabled, String pushToken, String pushSubject) {
    @Override
    public String toString() {
        return "PushTokenRow[id=" + id + ", enabled=" + enabled + ", pushToken=***, pushSubject=" + pushSubject + "]";
    }
}
