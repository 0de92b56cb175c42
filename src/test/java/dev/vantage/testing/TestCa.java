package dev.vantage.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made by a test, valid for ten years, that issues server certificates whose validity the test
 * chooses (one that expires in 5 days, one that expired yesterday), and a trust manager that trusts it alone.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final X500Name name;

    private TestCa(String commonName) {
        try {
            keys = ecKeys();
            name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))),
                    name,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = sign(builder);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestCa create(String commonName) {
        return new TestCa(commonName);
    }

    /** A trust manager that trusts this CA and nothing else. */
    public X509TrustManager trustManager() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", certificate);
            return dev.vantage.probe.tls.TrustedCertificates.of(store);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A server context whose certificate, issued by this CA for {@code CN=<host>} with SANs {@code host}, 127.0.0.1 and
     * ::1, is valid from {@code notBefore} to {@code notAfter}.
     */
    public SSLContext serverContext(String host, Instant notBefore, Instant notAfter) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(host, notBefore, notAfter), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key managers of {@link #serverContext(String, Instant, Instant)}, for a server context built otherwise. */
    public KeyManager[] keyManagers(String host, Instant notBefore, Instant notAfter) {
        try {
            KeyPair leafKeys = ecKeys();
            var builder = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    new X500Name("CN=" + host),
                    leafKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, host),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
            }));
            X509Certificate leaf = sign(builder);
            char[] password = "test".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", leafKeys.getPrivate(), password, new Certificate[] {leaf, certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server context valid from a day ago until {@code validFor} from now. */
    public SSLContext serverContext(String host, Duration validFor) {
        Instant now = Instant.now();
        return serverContext(host, now.minus(Duration.ofDays(1)), now.plus(validFor));
    }

    /**
     * An HTTPS server on 127.0.0.1 with one handler per path; {@link HttpsServer#stop} it (or use try-with-resources on
     * {@link Server}).
     */
    public static Server https(SSLContext context, Map<String, HttpHandler> handlers) {
        return https(context, handlers, InetAddress.getLoopbackAddress());
    }

    /** The same on a loopback address of choice (::1). */
    public static Server https(SSLContext context, Map<String, HttpHandler> handlers, InetAddress loopback) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(loopback, 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(context));
            handlers.forEach(server::createContext);
            server.start();
            return new Server(server);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A running loopback HTTPS server. */
    public record Server(HttpsServer server) implements AutoCloseable {
        public int port() {
            return server.getAddress().getPort();
        }

        public String url(String path) {
            return "https://127.0.0.1:" + port() + path;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private X509Certificate sign(JcaX509v3CertificateBuilder builder)
            throws OperatorCreationException, GeneralSecurityException {
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }
}
