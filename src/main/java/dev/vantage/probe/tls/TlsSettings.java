package dev.vantage.probe.tls;

import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.SettingsReader;
import dev.vantage.probe.UrlText;
import dev.vantage.probe.net.Resolver;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * A validated {@code tls} monitor row: {@code tls://host:port} (port 443 when left out).
 *
 * @param host host name or IP literal (without brackets)
 * @param port 1-65535
 * @param sni the server name sent in the handshake and checked against the certificate; the host when not set, none
 *     for an IP literal host (the certificate is then checked against the IP)
 * @param verifyTls fail when the chain is not trusted or does not name the server; off, the facts are still recorded
 * @param certExpiryWarningDays a certificate that expires within this many days is reported with a warning
 */
public record TlsSettings(String host, int port, String sni, boolean verifyTls, int certExpiryWarningDays) {
    public static final Set<String> KEYS = Set.of("sni", "verify_tls", "cert_expiry_warning_days");
    public static final int DEFAULT_PORT = 443;

    static TlsSettings from(MonitorSpec spec) throws InvalidMonitorException {
        String text = spec.url();
        if (text == null || text.isBlank()) {
            throw new InvalidMonitorException("url", "is empty");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidMonitorException(
                    "url", "is not a URL like tls://host:port: '" + UrlText.quotable(text) + "'");
        }
        if (uri.getScheme() == null) {
            throw new InvalidMonitorException(
                    "url", "is not a URL like tls://host:port: '" + UrlText.quotable(text) + "'");
        }
        if (!"tls".equalsIgnoreCase(uri.getScheme())) {
            throw new InvalidMonitorException("url", "scheme must be tls, was '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null) {
            throw new InvalidMonitorException("url", "has no host: '" + UrlText.quotable(text) + "'");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new InvalidMonitorException(
                    "url", "needs a port between 1 and 65535: '" + UrlText.quotable(text) + "'");
        }
        if ((uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
            throw new InvalidMonitorException(
                    "url", "has a path or query, which a TLS check does not use: '" + UrlText.quotable(text) + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        SettingsReader s = SettingsReader.of(spec.settings(), KEYS);
        String sni = s.string("sni");
        if (sni != null && (Resolver.isIpLiteral(sni) || !sni.matches("[A-Za-z0-9.-]+"))) {
            throw new InvalidMonitorException(
                    "settings.sni",
                    "must be a host name (letters, digits, '.', '-'), was '" + UrlText.quotable(sni) + "'");
        }
        if (sni == null && !Resolver.isIpLiteral(host)) {
            sni = host;
        }
        return new TlsSettings(
                host,
                port,
                sni,
                s.bool("verify_tls", true),
                s.integer("cert_expiry_warning_days", CertificateFacts.DEFAULT_WARNING_DAYS, 0, 3650));
    }

    /** The name the certificate must match: the SNI, else the host (an IP literal). */
    String expectedName() {
        return sni != null ? sni : host;
    }
}
