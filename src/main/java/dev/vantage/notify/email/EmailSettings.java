package dev.vantage.notify.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A validated {@code email} channel.
 *
 * @param host the SMTP server
 * @param port 587 by default (465 with {@code smtps})
 * @param from the sender address
 * @param to the recipients, at least one
 * @param username the SMTP login, or null for none; a secret (some services use an API key here)
 * @param password the SMTP password, or null; a secret
 * @param tls how the connection is protected
 * @param timeout the longest one attempt may take
 */
public record EmailSettings(
        String host,
        int port,
        String from,
        List<String> to,
        Secret username,
        Secret password,
        Tls tls,
        Duration timeout) {
    public static final Set<String> KEYS =
            Set.of("host", "port", "from", "to", "username", "password", "tls", "timeout_ms");

    public enum Tls {
        /** Plain connection upgraded by STARTTLS, which is required: no fallback to plain text. */
        STARTTLS,
        /** TLS from the first byte (port 465). */
        SMTPS,
        /** No encryption: only where the path is trusted; never with credentials to a host off this machine. */
        NONE
    }

    public EmailSettings {
        to = List.copyOf(to);
    }

    static EmailSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        String host = s.requiredString("host");
        if (!host.matches("[A-Za-z0-9.:\\[\\]_-]+")) {
            throw ChannelSettingsReader.invalid("host", "must be a host name or an IP address");
        }
        Tls tls = Tls.valueOf(s.choice("tls", "starttls", List.of("starttls", "smtps", "none"))
                .toUpperCase(Locale.ROOT));
        int port = s.integer("port", tls == Tls.SMTPS ? 465 : 587, 1, 65535);
        String from = address("from", s.requiredString("from"));
        List<String> to = s.strings("to");
        if (to.isEmpty()) {
            throw ChannelSettingsReader.invalid("to", "needs at least one address");
        }
        var recipients = new ArrayList<String>();
        for (int i = 0; i < to.size(); i++) {
            recipients.add(address("to[" + i + "]", to.get(i)));
        }
        Secret username = s.secret("username");
        Secret password = s.secret("password");
        if ((username == null) != (password == null)) {
            throw ChannelSettingsReader.invalid(
                    username == null ? "username" : "password",
                    "is required with " + (username == null ? "password" : "username"));
        }
        if (tls == Tls.NONE && username != null && !isLoopback(host)) {
            throw ChannelSettingsReader.invalid(
                    "tls", "none would send the password in clear text to another machine: use starttls or smtps");
        }
        return new EmailSettings(
                host, port, from, recipients, username, password, tls, s.timeout("timeout_ms", Duration.ofSeconds(30)));
    }

    private static String address(String key, String value) throws InvalidChannelException {
        try {
            var address = new InternetAddress(value, true);
            address.validate();
            return address.toString();
        } catch (AddressException e) {
            throw ChannelSettingsReader.invalid(key, "is not an email address");
        }
    }

    /** Loopback by its literal form only: validation does no DNS. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("::1") || h.equals("[::1]");
    }
}
