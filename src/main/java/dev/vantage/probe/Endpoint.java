package dev.vantage.probe;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * A monitor's {@code url} of the form {@code scheme://host[:port][/path]}, parsed one way for every type whose target
 * is a host and a port ({@code tcp://host:port}, and the types that follow it); {@code http} keeps OkHttp's own URL
 * parser, because the request is made from that parse and a second one could only disagree with it.
 *
 * <p>Every problem is an {@link InvalidMonitorException} on {@code url}, quoting the URL with its credentials masked
 * ({@link UrlText}): {@code is empty}, {@code is not a URL like tcp://host:port: '…'}, {@code scheme must be tcp, was
 * 'http'}, {@code has no host: '…'}, {@code needs a port between 1 and 65535: '…'}.
 *
 * @param scheme the scheme, lower case
 * @param host host name or IP literal, without the brackets of an IPv6 literal
 * @param port 1-65535: the URL's, or the type's default when the URL has none
 * @param path the raw path after the authority ({@code ""} when none), e.g. the name a {@code dns} URL asks for
 */
public record Endpoint(String scheme, String host, int port, String path) {
    /** Pass as {@code defaultPort} when the URL must name its port. */
    public static final int PORT_REQUIRED = -1;

    /**
     * Parses {@code text}.
     *
     * @param schemes the schemes this type accepts, the first one used in messages
     * @param defaultPort the port when the URL has none, or {@link #PORT_REQUIRED}
     */
    public static Endpoint parse(String text, List<String> schemes, int defaultPort) throws InvalidMonitorException {
        if (text == null || text.isBlank()) {
            throw new InvalidMonitorException("url", "is empty");
        }
        String example = schemes.getFirst() + "://host" + (defaultPort == PORT_REQUIRED ? ":port" : "[:port]");
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidMonitorException(
                    "url", "is not a URL like " + example + ": '" + UrlText.quotable(text) + "'");
        }
        if (uri.getScheme() == null) {
            throw new InvalidMonitorException(
                    "url", "is not a URL like " + example + ": '" + UrlText.quotable(text) + "'");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!schemes.contains(scheme)) {
            throw new InvalidMonitorException(
                    "url", "scheme must be " + String.join(" or ", schemes) + ", was '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null) {
            throw new InvalidMonitorException("url", "has no host: '" + UrlText.quotable(text) + "'");
        }
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new InvalidMonitorException(
                    "url", "needs a port between 1 and 65535: '" + UrlText.quotable(text) + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Endpoint(scheme, host, port, uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** {@code host:port}, an IPv6 literal in brackets. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
