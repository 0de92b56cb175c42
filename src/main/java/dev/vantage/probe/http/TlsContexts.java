package dev.vantage.probe.http;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for probes. Each probe gets a new {@link SSLContext}: a shared one would cache sessions and resume them, and a
 * resumed handshake is not what a user's first visit costs (curl, one process per run, never resumes either). The
 * trust managers are built once.
 */
final class TlsContexts {
    private final X509TrustManager system;
    private final X509TrustManager trustAll = new TrustAll();

    TlsContexts() {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init((KeyStore) null);
            X509TrustManager found = null;
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    found = x;
                }
            }
            if (found == null) {
                throw new IllegalStateException("the JDK has no X509TrustManager");
            }
            this.system = found;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JDK's trusted certificates", e);
        }
    }

    X509TrustManager trustManager(boolean verify) {
        return verify ? system : trustAll;
    }

    /** A socket factory on a new context with no cached sessions. */
    SSLSocketFactory freshFactory(boolean verify) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(verify)}, null);
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
