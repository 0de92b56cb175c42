package dev.vantage.probe.http;

import dev.vantage.probe.tls.CapturingTrustManager;
import dev.vantage.probe.tls.TrustedCertificates;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for probes. Each probe gets a new {@link SSLContext}: a shared one would cache sessions and resume them, and a
 * resumed handshake is not what a user's first visit costs (curl, one process per run, never resumes either). The
 * trusted certificates are loaded once; each handshake gets a {@link CapturingTrustManager} that records the server's
 * certificate.
 */
final class TlsContexts {
    private final X509TrustManager system;
    private final X509TrustManager trustAll = new TrustAll();

    TlsContexts() {
        this(TrustedCertificates.system());
    }

    /** With other trusted certificates than the JDK's: a test's own CA. */
    TlsContexts(X509TrustManager trusted) {
        this.system = trusted;
    }

    /** The trust manager OkHttp is given for its chain cleaning; verification itself is the context's. */
    X509TrustManager trustManager(boolean verify) {
        return verify ? system : trustAll;
    }

    /** The trust manager of one handshake: records the server's certificate, enforces the chain when verifying. */
    CapturingTrustManager capture(boolean verify) {
        return new CapturingTrustManager(system, verify);
    }

    /** A socket factory on a new context with no cached sessions, verifying (or not) through {@code trust}. */
    SSLSocketFactory freshFactory(CapturingTrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
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
