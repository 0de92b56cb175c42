package dev.vantage.probe.tls;

import dev.vantage.config.ConfigurationException;
import java.util.Locale;

/** Which TLS implementation probes use ({@code VANTAGE_TLS_PROVIDER}). */
public enum TlsProvider {
    /** The native provider when it loads on this platform, else the JDK's with one log line naming the reason. */
    AUTO,
    /** The JDK's own (JSSE), pure Java. */
    JSSE,
    /** The native provider (Conscrypt, BoringSSL) or nothing: the agent refuses to start when it cannot load. */
    NATIVE;

    public static TlsProvider parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(
                    "VANTAGE_TLS_PROVIDER: expected auto, jsse or native, got '" + value + "'");
        }
    }
}
