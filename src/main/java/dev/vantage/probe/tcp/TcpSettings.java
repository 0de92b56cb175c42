package dev.vantage.probe.tcp;

import dev.vantage.probe.Endpoint;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.SettingsReader;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code tcp} monitor row.
 *
 * @param host host name or IP literal (without brackets)
 * @param port 1-65535
 * @param send text written after connecting ({@code settings.send}, or the row's {@code body}), or null
 * @param expect text that must appear in what is read back, or null
 */
public record TcpSettings(String host, int port, String send, String expect) {
    public static final Set<String> KEYS = Set.of("send", "expect");

    static TcpSettings from(MonitorSpec spec) throws InvalidMonitorException {
        Endpoint endpoint = Endpoint.parse(spec.url(), List.of("tcp"), Endpoint.PORT_REQUIRED);
        SettingsReader s = SettingsReader.of(spec.settings(), KEYS);
        String send = s.string("send");
        String body = spec.body() == null || spec.body().isEmpty() ? null : spec.body();
        if (send != null && body != null) {
            throw new InvalidMonitorException("body", "and settings.send both give the text to send; set one");
        }
        return new TcpSettings(endpoint.host(), endpoint.port(), send != null ? send : body, s.string("expect"));
    }
}
