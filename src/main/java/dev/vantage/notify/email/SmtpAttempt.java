package dev.vantage.notify.email;

import dev.vantage.notify.Outcome;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** One SMTP conversation, blocking; {@link EmailNotifier} bounds it by the deadline. */
final class SmtpAttempt {
    private final EmailSettings settings;
    private final Clock clock;

    SmtpAttempt(EmailSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    Outcome send(EmailMessage message, Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        long timeoutMs = Math.max(1, Math.min(settings.timeout().toMillis(), left.toMillis()));
        String protocol = settings.tls() == EmailSettings.Tls.SMTPS ? "smtps" : "smtp";
        Session session = Session.getInstance(properties(protocol, timeoutMs));
        try {
            MimeMessage mime = new MimeMessage(session);
            mime.setFrom(new InternetAddress(settings.from()));
            mime.setRecipients(Message.RecipientType.TO, InternetAddress.parse(String.join(",", settings.to())));
            mime.setSubject(message.subject(), StandardCharsets.UTF_8.name());
            mime.setText(message.body(), StandardCharsets.UTF_8.name());
            mime.setSentDate(Date.from(clock.instant()));
            try (Transport transport = session.getTransport(protocol)) {
                transport.connect(
                        settings.host(),
                        settings.port(),
                        settings.username() == null ? null : settings.username().reveal(),
                        settings.password() == null ? null : settings.password().reveal());
                transport.sendMessage(mime, mime.getAllRecipients());
            }
            return Outcome.delivered(250);
        } catch (AuthenticationFailedException e) {
            return Outcome.rejected(null, "SMTP authentication failed");
        } catch (MessagingException e) {
            return classify(e, timeoutMs);
        }
    }

    private Properties properties(String protocol, long timeoutMs) {
        var p = new Properties();
        String prefix = "mail." + protocol + ".";
        p.setProperty(prefix + "connectiontimeout", Long.toString(timeoutMs));
        p.setProperty(prefix + "timeout", Long.toString(timeoutMs));
        p.setProperty(prefix + "writetimeout", Long.toString(timeoutMs));
        p.setProperty(prefix + "auth", Boolean.toString(settings.username() != null));
        switch (settings.tls()) {
            case STARTTLS -> {
                p.setProperty(prefix + "starttls.enable", "true");
                p.setProperty(prefix + "starttls.required", "true");
                p.setProperty(prefix + "ssl.checkserveridentity", "true");
            }
            case SMTPS -> {
                p.setProperty(prefix + "ssl.enable", "true");
                p.setProperty(prefix + "ssl.checkserveridentity", "true");
            }
            case NONE -> p.setProperty(prefix + "starttls.enable", "false");
        }
        return p;
    }

    /** SMTP reply 4xx: retry; 5xx: rejected; no reply (network, TLS, timeout): retry. Never the server's text. */
    static Outcome classify(MessagingException e, long timeoutMs) {
        Integer code = replyCode(e);
        if (code != null) {
            String detail = "SMTP " + code;
            return code >= 500 ? Outcome.rejected(code, detail) : Outcome.retry(code, null, detail);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return Outcome.retry(null, null, "SMTP timed out after " + timeoutMs + " ms");
            }
            if (t instanceof ConnectException) {
                return Outcome.retry(null, null, "connection refused");
            }
            if (t instanceof UnknownHostException) {
                return Outcome.retry(null, null, "could not resolve the host");
            }
            if (t instanceof SSLException) {
                return Outcome.retry(null, null, "TLS failed: " + t.getClass().getSimpleName());
            }
        }
        return Outcome.retry(null, null, "SMTP error: " + e.getClass().getSimpleName());
    }

    /** The reply code of the first command the server refused, found along the exception chain. */
    private static Integer replyCode(MessagingException e) {
        for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
            if (x instanceof SMTPSendFailedException s && s.getReturnCode() > 0) {
                return s.getReturnCode();
            }
            if (x instanceof SMTPAddressFailedException a && a.getReturnCode() > 0) {
                return a.getReturnCode();
            }
        }
        return null;
    }
}
