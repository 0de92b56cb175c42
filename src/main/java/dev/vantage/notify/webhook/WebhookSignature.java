package dev.vantage.notify.webhook;

import dev.vantage.notify.InvalidChannelException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The symmetric signature of Standard Webhooks 1.0: {@code v1,} + base64 of HMAC-SHA256 over
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the base64-decoded part of a {@code whsec_} secret.
 */
public final class WebhookSignature {
    static final String PREFIX = "whsec_";
    /** The spec's bounds on a signing secret: 24 to 64 bytes (192 to 512 bits). */
    static final int MIN_BYTES = 24;

    static final int MAX_BYTES = 64;

    private WebhookSignature() {}

    /** The key bytes of a {@code whsec_<base64>} secret, base64 again (kept as text inside a Secret). */
    static String decodeSecret(String secret) throws InvalidChannelException {
        if (!secret.startsWith(PREFIX)) {
            throw invalid("must start with whsec_ followed by base64, as Standard Webhooks secrets do");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw invalid("must be whsec_ followed by base64; the part after whsec_ is not base64");
        }
        if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
            throw invalid("must decode to " + MIN_BYTES + " to " + MAX_BYTES + " bytes, was " + key.length);
        }
        return Base64.getEncoder().encodeToString(key);
    }

    /** {@code v1,<base64 signature>}. */
    public static String sign(byte[] key, String id, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] signed = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** {@link #sign(byte[], String, long, String)} with a {@code whsec_} secret. */
    public static String sign(String whsecSecret, String id, long timestampSeconds, String body)
            throws InvalidChannelException {
        return sign(Base64.getDecoder().decode(decodeSecret(whsecSecret)), id, timestampSeconds, body);
    }

    private static InvalidChannelException invalid(String reason) {
        return new InvalidChannelException("settings.secret", reason);
    }
}
