package dev.vantage.notify.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContractTest;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.SmtpReceiver;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmailNotifierIT extends NotifierContractTest<EmailSettings, EmailMessage> {
    static final String USER = "planted-smtp-user";
    static final String PASSWORD = "planted-smtp-password-9Qw";

    private final EmailNotifier notifier = new EmailNotifier(CONTEXT);
    private SmtpReceiver smtp;

    @BeforeAll
    void startSmtp() {
        smtp = SmtpReceiver.start();
    }

    @AfterAll
    void stopSmtp() {
        smtp.close();
    }

    @Override
    protected Notifier<EmailSettings, EmailMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        ObjectNode s = JSON.createObjectNode()
                .put("host", "smtp.example.com")
                .put("from", "vantage@example.com")
                .put("username", USER)
                .put("password", PASSWORD);
        s.putArray("to").add("oncall@example.com").add("Ops Team <ops@example.com>");
        return s;
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(USER, PASSWORD);
    }

    @Override
    protected Optional<Target<EmailSettings, EmailMessage>> unreachable(int closedPort) {
        return Optional.of(new Target<>(notifier, loopback(closedPort)));
    }

    private ObjectNode loopback(int port) {
        return validSettings().put("host", "127.0.0.1").put("port", port).put("tls", "none");
    }

    @Test
    void aFiringNoticeRendersAsASubjectAndAPlainTextBody() throws Exception {
        EmailMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.subject())
                .isEqualTo("[Vantage] FIRING: checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200");
        assertThat(m.body())
                .isEqualTo(
                        """
                checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200

                Event:       firing
                State:       DOWN
                Monitor:     checkout (#7)
                Target:      https://shop.example.com/checkout
                Datacenters: NY, VA
                Error type:  HTTP_STATUS
                Error:       [STATUS] (503) == 200
                Opened at:   2025-03-01T12:00:00Z
                At:          2025-03-01T12:00:30Z
                Incident:    vantage-incident-42

                --\s
                Sent by Vantage (notification 17).
                """);
    }

    @Test
    void aCertificateNoticeSaysWhenTheCertificateExpiresInItsSubject() throws Exception {
        EmailMessage m = notifier.render(configured(), 18, Notices.certificate());

        assertThat(m.subject())
                .isEqualTo(
                        "[Vantage] CERTIFICATE: the certificate of checkout expires on 2025-03-06 10:00 UTC (in 5 days)");
        assertThat(m.body())
                .contains("Event:       certificate")
                .contains("State:       DEGRADED")
                .contains("Incident:    vantage-certificate-7-1741255200");
    }

    @Test
    void aResolvedNoticeSaysWhenItEnded() throws Exception {
        EmailMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.subject()).isEqualTo("[Vantage] RESOLVED: checkout is UP again after 10 min");
        assertThat(m.body())
                .isEqualTo(
                        """
                checkout is UP again after 10 min

                Event:       resolved
                State:       UP
                Monitor:     checkout (#7)
                Target:      https://shop.example.com/checkout
                Datacenters: NY, VA
                Error type:  HTTP_STATUS
                Error:       [STATUS] (503) == 200
                Opened at:   2025-03-01T12:00:00Z
                Resolved at: 2025-03-01T12:10:00Z
                At:          2025-03-01T12:10:00Z
                Incident:    vantage-incident-42

                --\s
                Sent by Vantage (notification 18).
                """);
    }

    @Test
    void aDeliveredMessageReachesEveryRecipientWithItsSubjectAndBody() throws Exception {
        EmailSettings settings = notifier.configure(loopback(smtp.port()));
        EmailMessage m = notifier.render(settings, 17, Notices.firing());
        int before = smtp.mails().size();

        Outcome outcome = notifier.send(settings, m, Instant.now().plusSeconds(10));

        assertThat(outcome.kind()).as("%s", outcome).isEqualTo(Outcome.Kind.DELIVERED);
        var mail = smtp.mails().get(before);
        assertThat(mail.from()).isEqualTo("vantage@example.com");
        assertThat(mail.to()).containsExactly("oncall@example.com", "ops@example.com");
        assertThat(mail.authUser()).isEqualTo(USER);
        assertThat(mail.authPassword()).isEqualTo(PASSWORD);
        var parsed = new MimeMessage(
                Session.getInstance(new Properties()),
                new ByteArrayInputStream(mail.data().getBytes(StandardCharsets.UTF_8)));
        assertThat(parsed.getSubject()).isEqualTo(m.subject());
        assertThat(((String) parsed.getContent()).replace("\r\n", "\n")).isEqualTo(m.body());
    }

    @Test
    void smtpRepliesDecideBetweenRetryAndRejection() throws Exception {
        record Case(String rcpt, String data, Outcome.Kind kind, int code) {}
        try (var server = SmtpReceiver.start()) {
            EmailSettings settings = notifier.configure(loopback(server.port()));
            EmailMessage m = notifier.render(settings, 17, Notices.firing());
            for (Case c : new Case[] {
                new Case("451 4.3.0 try later", "250 OK", Outcome.Kind.RETRY, 451),
                new Case("550 5.1.1 no such user", "250 OK", Outcome.Kind.REJECTED, 550),
                new Case("250 OK", "452 4.3.1 mailbox full", Outcome.Kind.RETRY, 452),
                new Case("250 OK", "554 5.7.1 refused", Outcome.Kind.REJECTED, 554),
            }) {
                server.replyToRcpt(c.rcpt());
                server.replyToData(c.data());

                Outcome outcome = notifier.send(settings, m, Instant.now().plusSeconds(10));

                assertThat(outcome.kind()).as("%s: %s", c, outcome).isEqualTo(c.kind());
                assertThat(outcome.statusCode()).as("%s", c).isEqualTo(c.code());
                assertThat(outcome.detail()).isEqualTo("SMTP " + c.code());
            }
        }
    }

    @Test
    void plainTextIsRefusedWhenItWouldCarryThePasswordOffThisMachine() throws Exception {
        var e = catchThrowableOfType(
                InvalidChannelException.class,
                () -> notifier.configure(validSettings().put("tls", "none")));
        assertThat(e.field()).isEqualTo("settings.tls");
        assertThat(notifier.configure(validSettings().put("tls", "none").put("host", "localhost"))
                        .tls())
                .isEqualTo(EmailSettings.Tls.NONE);
        ObjectNode anonymous = validSettings().put("tls", "none");
        anonymous.remove("username");
        anonymous.remove("password");
        assertThat(notifier.configure(anonymous).tls()).isEqualTo(EmailSettings.Tls.NONE);
    }

    @Test
    void defaultsAreStarttlsOnPort587AndImplicitTlsOn465() throws Exception {
        EmailSettings starttls = configured();
        assertThat(starttls.tls()).isEqualTo(EmailSettings.Tls.STARTTLS);
        assertThat(starttls.port()).isEqualTo(587);
        assertThat(notifier.configure(validSettings().put("tls", "smtps")).port())
                .isEqualTo(465);
    }

    @Test
    void everyRecipientMustBeAnAddress() {
        ObjectNode s = validSettings();
        s.putArray("to").add("oncall@example.com").add("not an address");
        var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(s));
        assertThat(e.field()).isEqualTo("settings.to[1]");
    }
}
