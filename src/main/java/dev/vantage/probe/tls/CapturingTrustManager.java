package dev.vantage.probe.tls;

import dev.vantage.Causes;
import java.net.Socket;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The trust manager of one probe's handshake: keeps the server's chain and judges it with the trusted certificates,
 * then either enforces the verdict (the handshake fails, as without it) or only records it ({@code verify_tls: false}),
 * so that {@link #facts()} is known either way. Host names are not checked here: OkHttp checks them after the
 * handshake, and the {@code tls} type does so itself. One instance per handshake; not shared between threads.
 */
public final class CapturingTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager trusted;
    private final boolean enforce;
    private volatile CertificateFacts facts;

    public CapturingTrustManager(X509TrustManager trusted, boolean enforce) {
        this.trusted = trusted;
        this.enforce = enforce;
    }

    /** What the handshake showed of the server's certificate, or null when it never got that far. */
    public CertificateFacts facts() {
        return facts;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        String error = null;
        CertificateException thrown = null;
        try {
            trusted.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            thrown = e;
            error = reason(e);
        }
        if (chain != null && chain.length > 0) {
            facts = CertificateFacts.of(chain[0], Instant.now(), error);
        }
        if (enforce && thrown != null) {
            throw thrown;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    /** A short reason: expired, not yet valid, or not trusted, with the JDK's words. */
    static String reason(CertificateException e) {
        if (Causes.find(e, CertificateExpiredException.class) != null) {
            return "certificate expired (" + Causes.rootMessage(e) + ")";
        }
        if (Causes.find(e, CertificateNotYetValidException.class) != null) {
            return "certificate not yet valid (" + Causes.rootMessage(e) + ")";
        }
        if (Causes.find(e, CertPathValidatorException.class) != null) {
            return "certificate not trusted (" + Causes.rootMessage(e) + ")";
        }
        return "certificate not trusted (" + Causes.rootMessage(e) + ")";
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a probe is never a TLS server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trusted.getAcceptedIssuers();
    }
}
