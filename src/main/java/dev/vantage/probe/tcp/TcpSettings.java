package dev.vantage.probe.tcp;

import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.SettingsReader;
import dev.vantage.probe.UrlText;
import java.net.URI;
import java.net.URISyntaxException;
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
        String text = spec.url();
        if (text == null || text.isBlank()) {
            throw new InvalidMonitorException("url", "is empty");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidMonitorException(
                    "url", "is not a URL like tcp://host:port: '" + UrlText.quotable(text) + "'");
        }
        if (uri.getScheme() == null) {
            throw new InvalidMonitorException(
                    "url", "is not a URL like tcp://host:port: '" + UrlText.quotable(text) + "'");
        }
        if (!"tcp".equalsIgnoreCase(uri.getScheme())) {
            throw new InvalidMonitorException("url", "scheme must be tcp, was '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null) {
            throw new InvalidMonitorException("url", "has no host: '" + UrlText.quotable(text) + "'");
        }
        if (uri.getPort() < 1 || uri.getPort() > 65535) {
            throw new InvalidMonitorException(
                    "url", "needs a port between 1 and 65535: '" + UrlText.quotable(text) + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        SettingsReader s = SettingsReader.of(spec.settings(), KEYS);
        String send = s.string("send");
        String body = spec.body() == null || spec.body().isEmpty() ? null : spec.body();
        if (send != null && body != null) {
            throw new InvalidMonitorException("body", "and settings.send both give the text to send; set one");
        }
        return new TcpSettings(host, uri.getPort(), send != null ? send : body, s.string("expect"));
    }
}
