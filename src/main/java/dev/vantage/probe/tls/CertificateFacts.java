package dev.vantage.probe.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * What a probe learnt of a server's certificate: the leaf's names and validity, and whether the chain it came with is
 * trusted. Recorded for every TLS handshake that got as far as the server's certificate, whether or not the probe
 * enforces verification ({@code verify_tls: false} still reports {@code chainValid}).
 *
 * @param daysLeft whole days from the probe until {@code notAfter} (29 for 29.9), and whole days since it once
 *     expired, negative (-1 for a certificate that expired 1.5 days ago; 0 within a day either side)
 * @param notAfter the end of the leaf's validity
 * @param subject the leaf's subject DN (RFC 2253)
 * @param issuer the leaf's issuer DN (RFC 2253)
 * @param sans the leaf's DNS and IP subject alternative names
 * @param chainValid whether the JDK's trusted certificates accept the chain (path, signatures, validity dates)
 * @param chainError why the chain is not accepted, null when it is
 */
public record CertificateFacts(
        long daysLeft,
        Instant notAfter,
        String subject,
        String issuer,
        List<String> sans,
        boolean chainValid,
        String chainError) {

    /** The default of {@code cert_expiry_warning_days}. */
    public static final int DEFAULT_WARNING_DAYS = 14;

    public CertificateFacts {
        sans = List.copyOf(sans);
    }

    static CertificateFacts of(X509Certificate leaf, Instant now, String chainError) {
        Instant notAfter = leaf.getNotAfter().toInstant();
        long days = Duration.between(now, notAfter).toDays();
        return new CertificateFacts(
                days,
                notAfter.truncatedTo(ChronoUnit.SECONDS),
                leaf.getSubjectX500Principal().getName(X500Principal.RFC2253),
                leaf.getIssuerX500Principal().getName(X500Principal.RFC2253),
                sans(leaf),
                chainError == null,
                chainError);
    }

    private static List<String> sans(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    // 2 = dNSName, 7 = iPAddress (RFC 5280 GeneralName tags)
                    if (name.size() == 2
                            && (Integer.valueOf(2).equals(name.get(0))
                                    || Integer.valueOf(7).equals(name.get(0)))) {
                        out.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // A malformed extension leaves the list empty; the handshake itself reports what matters.
        }
        return out;
    }

    /**
     * The warning when the certificate expires within {@code warningDays}, else null: {@code certificate of CN=shop
     * expires in 5 days (2026-12-11T07:30:00Z)}. An expired certificate has no warning: its chain is invalid.
     */
    public String expiryWarning(int warningDays) {
        if (daysLeft < 0 || daysLeft >= warningDays || notAfter.isBefore(Instant.now())) {
            return null;
        }
        String when = daysLeft == 0
                ? "expires in less than a day"
                : "expires in " + daysLeft + (daysLeft == 1 ? " day" : " days");
        return "certificate of " + subject + " " + when + " (" + notAfter + ")";
    }

    /**
     * The facts as the keys of a heartbeat's {@code details}: {@code cert_days_left}, {@code cert_not_after},
     * {@code cert_subject}, {@code cert_issuer}, {@code cert_sans}, {@code cert_chain_valid}, {@code cert_chain_error}
     * (only when invalid) and {@code cert_expiry_warning} (only within {@code warningDays}).
     */
    public Map<String, Object> details(int warningDays) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cert_days_left", daysLeft);
        d.put("cert_not_after", notAfter.toString());
        d.put("cert_subject", subject);
        d.put("cert_issuer", issuer);
        d.put("cert_sans", sans);
        d.put("cert_chain_valid", chainValid);
        if (chainError != null) {
            d.put("cert_chain_error", chainError);
        }
        String warning = expiryWarning(warningDays);
        if (warning != null) {
            d.put("cert_expiry_warning", warning);
        }
        return d;
    }
}
