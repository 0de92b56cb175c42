package dev.vantage.probe.warm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A server TLS context with a certificate made at start: EC P-256, CN=localhost, SAN localhost, 127.0.0.1 and ::1,
 * valid from a day ago for a year, for the loopback targets of the warm-up and the demo. Nobody trusts it, which is the
 * point: with {@code verify_tls} on it is the demo's TLS failure, with it off a working HTTPS target.
 *
 * <p>The JDK signs but does not build certificates (outside its internal sun.security classes), so the certificate is
 * written here in DER ({@link Der}) and signed with {@link Signature}: a few dozen lines instead of BouncyCastle's
 * 6.5 MiB in the jar.
 */
public final class SelfSignedTls {
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private SelfSignedTls() {}

    public static SSLContext serverContext() {
        return serverContext(Duration.ofDays(365));
    }

    /** The same, valid from a day ago until {@code validFor} from now: the demo's certificate that expires soon. */
    public static SSLContext serverContext(Duration validFor) {
        try {
            KeyPair keys = keyPair();
            Instant now = Instant.now();
            X509Certificate certificate = certificate(keys, now.minus(Duration.ofDays(1)), now.plus(validFor));

            char[] password = "demo".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("demo", keys.getPrivate(), password, new Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the demo's self-signed certificate", e);
        }
    }

    static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /**
     * An X.509 v3 certificate for CN=localhost, issued by itself and signed with SHA256withECDSA by {@code keys}, valid
     * from {@code notBefore} to {@code notAfter} (whole seconds): basic constraints (critical, not a CA), extended key
     * usage serverAuth, SAN localhost, 127.0.0.1 and ::1. RFC 5280, section 4.1.
     */
    static X509Certificate certificate(KeyPair keys, Instant notBefore, Instant notAfter)
            throws GeneralSecurityException {
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256)); // RFC 5758 3.2: no parameters
        byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String("localhost"))));
        byte[] extensions = Der.sequence(
                extension(BASIC_CONSTRAINTS, true, Der.sequence()), // cA FALSE is the default, so left out
                extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))),
                extension(
                        SUBJECT_ALT_NAME,
                        false,
                        Der.sequence(
                                Der.implicit(2, "localhost".getBytes(StandardCharsets.US_ASCII)),
                                Der.implicit(7, address("127.0.0.1")),
                                Der.implicit(7, address("::1")))));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
                Der.integer(BigInteger.valueOf(Instant.now().toEpochMilli())),
                algorithm,
                name,
                Der.sequence(
                        Der.time(notBefore.truncatedTo(ChronoUnit.SECONDS)),
                        Der.time(notAfter.truncatedTo(ChronoUnit.SECONDS))),
                name,
                keys.getPublic().getEncoded(), // already a DER SubjectPublicKeyInfo
                Der.explicit(3, extensions));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
        return (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
