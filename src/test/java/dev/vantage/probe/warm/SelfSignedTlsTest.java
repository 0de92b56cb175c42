package dev.vantage.probe.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The certificate written by hand in DER, read back by the JDK's own parser. */
class SelfSignedTlsTest {
    private static final Instant NOT_BEFORE = Instant.parse("2026-12-05T10:15:30Z");
    private static final Instant NOT_AFTER = Instant.parse("2027-12-05T10:15:30Z");

    private static KeyPair keys;
    private static X509Certificate certificate;

    @BeforeAll
    static void makeOne() throws Exception {
        keys = SelfSignedTls.keyPair();
        certificate = SelfSignedTls.certificate(keys, NOT_BEFORE.plusMillis(700), NOT_AFTER);
    }

    @Test
    void isAVersion3CertificateForLocalhostIssuedByItself() {
        assertThat(certificate.getVersion()).isEqualTo(3);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        assertThat(certificate.getSerialNumber()).isPositive();
    }

    @Test
    void isSignedWithSha256WithEcdsaByItsOwnP256Key() throws Exception {
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getSigAlgOID()).isEqualTo("1.2.840.10045.4.3.2");
        assertThat(certificate.getSigAlgParams()).isNull();
        assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(((ECPublicKey) certificate.getPublicKey())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize())
                .isEqualTo(256);
        certificate.verify(keys.getPublic()); // throws when the signature does not match
    }

    @Test
    void namesLocalhostAndBothLoopbackAddresses() throws Exception {
        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(
                        List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
    }

    @Test
    void isAServerCertificateAndNotACertificateAuthority() throws Exception {
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getCriticalExtensionOIDs()).containsExactly("2.5.29.19");
        assertThat(certificate.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.37", "2.5.29.17");
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    }

    @Test
    void isValidFromItsFirstToItsLastWholeSecondOnly() throws Exception {
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOT_BEFORE);
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOT_AFTER);
        certificate.checkValidity(Date.from(NOT_BEFORE));
        certificate.checkValidity(Date.from(NOT_AFTER));
        assertThatThrownBy(() -> certificate.checkValidity(Date.from(NOT_BEFORE.minusSeconds(1))))
                .isInstanceOf(CertificateNotYetValidException.class);
        assertThatThrownBy(() -> certificate.checkValidity(Date.from(NOT_AFTER.plusSeconds(1))))
                .isInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void writesGeneralizedTimeForDatesFrom2050() throws Exception {
        Instant late = Instant.parse("2051-03-01T00:00:00Z");
        var far = SelfSignedTls.certificate(keys, NOT_BEFORE, late);
        assertThat(far.getNotAfter().toInstant()).isEqualTo(late);
        far.verify(keys.getPublic());
    }
}
