package dev.vantage.probe.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The JDK's trusted certificates (its {@code cacerts}), loaded once per monitor type. */
public final class TrustedCertificates {
    private TrustedCertificates() {}

    /** The default trust manager of the JDK, or of a key store ({@code null}: the JDK's own). */
    public static X509TrustManager of(KeyStore store) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK has no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load trusted certificates", e);
        }
    }

    public static X509TrustManager system() {
        return of(null);
    }
}
