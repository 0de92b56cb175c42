package dev.vantage.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.alertmanager.AlertmanagerNotifier;
import dev.vantage.notify.discord.DiscordNotifier;
import dev.vantage.notify.email.EmailNotifier;
import dev.vantage.notify.log.LogNotifier;
import dev.vantage.notify.nats.NatsNotifier;
import dev.vantage.notify.ntfy.NtfyNotifier;
import dev.vantage.notify.opsgenie.OpsgenieNotifier;
import dev.vantage.notify.pagerduty.PagerDutyNotifier;
import dev.vantage.notify.postgres.PostgresNotifier;
import dev.vantage.notify.pushover.PushoverNotifier;
import dev.vantage.notify.redis.RedisNotifier;
import dev.vantage.notify.slack.SlackNotifier;
import dev.vantage.notify.teams.TeamsNotifier;
import dev.vantage.notify.telegram.TelegramNotifier;
import dev.vantage.notify.webhook.WebhookNotifier;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Notifiers by type name (case-insensitive). Immutable once built. */
public final class NotifierRegistry {
    private final Map<String, Notifier<?, ?>> byName;
    private final List<String> types;

    private NotifierRegistry(List<Notifier<?, ?>> notifiers) {
        var names = new HashMap<String, Notifier<?, ?>>();
        var canonical = new TreeSet<String>();
        for (Notifier<?, ?> n : notifiers) {
            Notifier<?, ?> previous = names.put(n.type().toLowerCase(Locale.ROOT), n);
            if (previous != null) {
                throw new IllegalStateException("notifier type '" + n.type() + "' is claimed by both "
                        + previous.getClass().getName() + " and " + n.getClass().getName());
            }
            canonical.add(n.type());
        }
        this.byName = Map.copyOf(names);
        this.types = List.copyOf(canonical);
    }

    /**
     * Every notifier Vantage ships, one line each. An explicit list rather than a ServiceLoader, because notifiers take
     * what they share (the database, the clock, the HTTP client) in their constructor.
     */
    public static NotifierRegistry standard(NotifierContext context) {
        return of(List.of(
                new WebhookNotifier(context),
                new SlackNotifier(context),
                new PagerDutyNotifier(context),
                new PushoverNotifier(context),
                new EmailNotifier(context),
                new PostgresNotifier(context),
                new RedisNotifier(context),
                new NatsNotifier(context),
                new TeamsNotifier(context),
                new DiscordNotifier(context),
                new TelegramNotifier(context),
                new OpsgenieNotifier(context),
                new NtfyNotifier(context),
                new AlertmanagerNotifier(context),
                new LogNotifier()));
    }

    public static NotifierRegistry of(List<Notifier<?, ?>> notifiers) {
        return new NotifierRegistry(notifiers);
    }

    /** Canonical type names, sorted. */
    public List<String> types() {
        return types;
    }

    public Optional<Notifier<?, ?>> find(String type) {
        return type == null
                ? Optional.empty()
                : Optional.ofNullable(byName.get(type.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * Validates a {@code notification_channels} row into a channel ready to render and send. Pure: no I/O.
     *
     * @throws InvalidChannelException naming {@code type} for an unknown type, else the settings field at fault
     */
    public Channel configure(int id, String name, String type, JsonNode settings) throws InvalidChannelException {
        Notifier<?, ?> notifier = find(type)
                .orElseThrow(() -> new InvalidChannelException(
                        "type",
                        "unknown notifier type '" + type + "' (known types: " + String.join(", ", types) + ")"));
        return Channel.configure(id, name, notifier, settings);
    }
}
