package dev.vantage.notify.opsgenie;

import dev.vantage.notify.http.HttpMessage;
import java.util.Objects;

/**
 * A rendered Opsgenie request: create the alert, or close the alert whose alias is {@code alias}.
 *
 * @param alias the incident's dedup key, which is the alert's alias
 * @param close whether this closes the alert ({@code POST /v2/alerts/<alias>/close?identifierType=alias}) rather than
 *     creating it ({@code POST /v2/alerts})
 * @param body the JSON body
 */
public record OpsgenieMessage(String alias, boolean close, HttpMessage body) {
    public OpsgenieMessage {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(body, "body");
    }
}
