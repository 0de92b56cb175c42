package dev.vantage.notify.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.Attempt;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.Text;
import java.time.Clock;
import java.time.Instant;

/**
 * Email over SMTP (Jakarta Mail, Angus implementation). One message per notice to every recipient; SMTP replies 4xx
 * are retried, 5xx rejected, connection failures retried.
 */
public final class EmailNotifier implements Notifier<EmailSettings, EmailMessage> {
    static final int SUBJECT_MAX = 200;

    private final Clock clock;

    public EmailNotifier(NotifierContext context) {
        this.clock = context.clock();
    }

    @Override
    public String type() {
        return "email";
    }

    @Override
    public EmailSettings configure(JsonNode settings) throws InvalidChannelException {
        return EmailSettings.from(settings);
    }

    @Override
    public EmailMessage render(EmailSettings settings, long notificationId, Notice notice) {
        String subject =
                Text.truncate(oneLine("[Vantage] " + notice.event().name() + ": " + notice.summary()), SUBJECT_MAX);
        var body = new StringBuilder();
        body.append(notice.summary()).append("\n\n");
        members(body, notice);
        line(body, "Event", notice.event().wireName());
        line(body, "State", notice.state());
        if (notice.monitorName() != null) {
            line(
                    body,
                    "Monitor",
                    notice.monitorName() + (notice.monitorId() == null ? "" : " (#" + notice.monitorId() + ")"));
        }
        line(body, "Target", notice.target());
        line(body, "Datacenters", notice.datacenters().isEmpty() ? null : String.join(", ", notice.datacenters()));
        line(body, "Error type", notice.errorType());
        line(body, "Error", notice.errorMessage());
        line(body, "Opened at", NoticeJson.iso(notice.openedAt()));
        line(body, "Resolved at", NoticeJson.iso(notice.resolvedAt()));
        line(body, "At", NoticeJson.iso(notice.at()));
        line(body, "Incident", notice.dedupKey());
        body.append("\n-- \nSent by Vantage (notification ")
                .append(notificationId)
                .append(").\n");
        return new EmailMessage(subject, body.toString());
    }

    @Override
    public Outcome send(EmailSettings settings, EmailMessage message, Instant deadline) {
        return Attempt.withDeadline(
                clock, deadline, "SMTP", () -> new SmtpAttempt(settings, clock).send(message, deadline));
    }

    /** A group's incidents, a line each with its dedup key; nothing for the notice of one incident. */
    private static void members(StringBuilder body, Notice notice) {
        if (!notice.isGroup()) {
            return;
        }
        for (Notice member : notice.members()) {
            body.append("- ")
                    .append(member.summary())
                    .append(" [")
                    .append(member.dedupKey())
                    .append("]\n");
        }
        body.append('\n');
    }

    private static void line(StringBuilder body, String label, String value) {
        if (value != null) {
            body.append(String.format("%-12s %s", label + ":", value)).append('\n');
        }
    }

    /** Header lines cannot hold line breaks; a summary with one would otherwise inject headers. */
    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}+", " ");
    }
}
