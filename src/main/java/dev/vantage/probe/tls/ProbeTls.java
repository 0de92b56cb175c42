package dev.vantage.probe.tls;

import dev.vantage.config.ConfigurationException;
import dev.vantage.probe.net.TimedSslSocketFactory;
import dev.vantage.probe.net.Trace;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS client of every probe: one {@link SSLContext} for the whole process, from the JDK (JSSE) or from Conscrypt
 * (BoringSSL, native), shared by all probes and all trust configurations, and every handshake still a full one.
 *
 * <p><b>One context, each handshake its own certificate check.</b> The context's trust manager only dispatches: a
 * socket's handshake is registered (by {@link TimedSslSocketFactory}, just before it starts) with the probe's {@link
 * CapturingTrustManager}, which records the server's certificate and enforces the chain or not ({@code verify_tls}).
 * A handshake nobody registered fails: no probe's handshake is ever judged by another's trust.
 *
 * <p><b>No session resumption.</b> A resumed handshake skips the certificate and the key exchange, so the TLS phase
 * would not be what a first visit costs. A shared context caches sessions by host and port; this one never keeps a
 * resumable one: the session of every handshake is invalidated while its certificate is checked (before the client
 * Finished, so neither JSSE for TLS 1.2 nor BoringSSL ever offers it again; BoringSSL copies the zero lifetime into
 * the TLS 1.3 tickets made from it), and JSSE drops every TLS 1.3 NewSessionTicket because the cache lifetime is set
 * beyond the 7 days it accepts ({@code NewSessionTicket.T13NewSessionTicketConsumer}). {@code ProbeTlsIT} counts the
 * server's full handshakes to prove it, for both providers and TLS 1.2 and 1.3.
 *
 * <p><b>Key shares.</b> BoringSSL sends one (x25519) and lists x25519, P-256 and P-384, so a server without x25519
 * asks for P-256 with a HelloRetryRequest. JSSE (JDK 21 to 25) sends one share for each of the first two curve
 * families in its group list (x25519 and secp256r1) and offers no setting for one share while listing both families:
 * with x25519 alone a server without it could not answer at all, so JSSE keeps its default.
 *
 * <p><b>Native memory.</b> Conscrypt frees a context's native state only when the context is garbage collected, and
 * each socket's direct buffers too unless an allocator takes them back: one context for the process, a session cache
 * of one entry, and {@link ConscryptBuffers} (direct buffers reused, given back when the socket closes) keep it
 * bounded by the probes in flight rather than by the GC's pace.
 */
public final class ProbeTls {
    private static final Logger log = LoggerFactory.getLogger(ProbeTls.class);

    /** Above JSSE's 7-day ticket limit: JSSE then discards every TLS 1.3 NewSessionTicket instead of caching it. */
    private static final int DISCARD_TICKETS_SECONDS = 604_800 + 1;

    private static volatile ProbeTls shared;

    private final String name;
    private final SSLSocketFactory factory;
    private final Map<SSLSocket, CapturingTrustManager> handshakes = new ConcurrentHashMap<>();

    private ProbeTls(String name, Provider provider) {
        this.name = name;
        try {
            SSLContext context =
                    provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
            context.init(null, new TrustManager[] {new Dispatcher()}, null);
            var sessions = context.getClientSessionContext();
            sessions.setSessionCacheSize(1);
            if (provider == null) {
                sessions.setSessionTimeout(DISCARD_TICKETS_SECONDS);
            }
            this.factory = context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the probes' TLS context (" + name + ")", e);
        }
    }

    /**
     * The process's probe TLS: as installed by {@link #install}, else as the system property {@code
     * vantage.tls.provider} says (for a test run), else {@link TlsProvider#AUTO}.
     */
    public static ProbeTls shared() {
        ProbeTls tls = shared;
        if (tls == null) {
            synchronized (ProbeTls.class) {
                if (shared == null) {
                    shared = create(TlsProvider.parse(System.getProperty("vantage.tls.provider", "auto")));
                }
                tls = shared;
            }
        }
        return tls;
    }

    /**
     * Chooses the provider of {@link #shared()} at agent start (before any probe), failing with a {@link
     * ConfigurationException} when {@code native} is required and cannot load.
     */
    public static synchronized ProbeTls install(TlsProvider choice) {
        shared = create(choice);
        return shared;
    }

    public static ProbeTls create(TlsProvider choice) {
        return create(choice, ProbeTls::conscrypt);
    }

    /** With another native loader: a test's, to play a platform where the native provider is missing. */
    static ProbeTls create(TlsProvider choice, Supplier<Provider> nativeLoader) {
        if (choice == TlsProvider.JSSE) {
            return new ProbeTls("JSSE", null);
        }
        Provider provider;
        try {
            provider = nativeLoader.get();
        } catch (RuntimeException | LinkageError e) {
            String reason = reason(e);
            if (choice == TlsProvider.NATIVE) {
                throw new ConfigurationException(
                        "VANTAGE_TLS_PROVIDER is native but the native TLS provider (Conscrypt) cannot load on "
                                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + reason);
            }
            log.warn("probes use the JDK's TLS (JSSE): the native provider (Conscrypt) cannot load: {}", reason);
            return new ProbeTls("JSSE", null);
        }
        ConscryptBuffers.install();
        return new ProbeTls(provider.getName(), provider);
    }

    /** Conscrypt, without installing it among the JVM's providers: only probes use it. */
    private static Provider conscrypt() {
        try {
            Class<?> c = Class.forName("org.conscrypt.Conscrypt");
            c.getMethod("checkAvailability").invoke(null); // throws with the cause (native library missing)
            return (Provider) c.getMethod("newProvider").invoke(null);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("org.conscrypt:conscrypt-openjdk is not on the class path", e);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LinkageError l) {
                throw l;
            }
            throw new IllegalStateException(String.valueOf(cause.getMessage()), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e.toString(), e);
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return e == t ? message : e.getMessage() + " (" + message + ")";
    }

    /** The provider's name: {@code JSSE} or {@code Conscrypt}. */
    public String provider() {
        return name;
    }

    /**
     * A socket factory for one probe: every handshake of its sockets records the server's certificate in {@code
     * trust} (and enforces it or not, as {@code trust} says) and is stamped on {@code trace}.
     */
    public SSLSocketFactory factory(CapturingTrustManager trust, Trace trace) {
        return new TimedSslSocketFactory(factory, trace, socket -> {
            handshakes.put(socket, trust);
            return () -> handshakes.remove(socket);
        });
    }

    /** The context's only trust manager: hands each handshake to its probe's, and keeps no session resumable. */
    private final class Dispatcher extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            CapturingTrustManager trust = socket instanceof SSLSocket s ? handshakes.get(s) : null;
            if (trust == null) {
                throw new CertificateException("no probe registered this TLS handshake (" + socket + ")");
            }
            forget(((SSLSocket) socket).getHandshakeSession());
            // TLS 1.3 has no key exchange in the cipher suite: JSSE says UNKNOWN, Conscrypt GENERIC, which the JDK's
            // trust manager refuses ("Unknown authType").
            trust.checkServerTrusted(chain, "GENERIC".equals(authType) ? "UNKNOWN" : authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("probes do not use SSLEngine");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a probe's TLS handshake must come with its socket");
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
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a probe is never a TLS server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        private static void forget(SSLSession session) {
            if (session != null) {
                session.invalidate();
            }
        }
    }
}
