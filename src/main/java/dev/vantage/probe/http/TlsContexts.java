package dev.vantage.probe.http;

import dev.vantage.probe.net.Trace;
import dev.vantage.probe.tls.CapturingTrustManager;
import dev.vantage.probe.tls.ProbeTls;
import dev.vantage.probe.tls.TrustedCertificates;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for http probes: the process's {@link ProbeTls} (one context, full handshakes, no resumption) and the trusted
 * certificates, loaded once; each handshake gets a {@link CapturingTrustManager} that records the server's certificate.
 */
final class TlsContexts {
    private final X509TrustManager system;
    private final X509TrustManager trustAll = new TrustAll();
    private final Supplier<ProbeTls> tls;

    TlsContexts() {
        this(TrustedCertificates.system());
    }

    /** With other trusted certificates than the JDK's (a test's own CA) and a given provider. */
    TlsContexts(X509TrustManager trusted, ProbeTls tls) {
        this.system = trusted;
        this.tls = () -> tls;
    }

    /**
     * With other trusted certificates than the JDK's: a test's own CA. The process's {@link ProbeTls} is looked up at
     * the first handshake, so that a registry loaded by a command that never probes loads no TLS provider, and the
     * agent's choice ({@link ProbeTls#install}) holds whenever the monitor types were loaded.
     */
    TlsContexts(X509TrustManager trusted) {
        this.system = trusted;
        this.tls = ProbeTls::shared;
    }

    /** The trust manager OkHttp is given for its chain cleaning; verification itself is the context's. */
    X509TrustManager trustManager(boolean verify) {
        return verify ? system : trustAll;
    }

    /** The trust manager of one handshake: records the server's certificate, enforces the chain when verifying. */
    CapturingTrustManager capture(boolean verify) {
        return new CapturingTrustManager(system, verify);
    }

    /** A socket factory for one hop: its handshake is judged by {@code trust} and stamped on {@code trace}. */
    SSLSocketFactory factory(CapturingTrustManager trust, Trace trace) {
        return tls.get().factory(trust, trace);
    }

    /** For {@code verify_tls: false} only: accepts any certificate (host names are skipped by the caller). */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
