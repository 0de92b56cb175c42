package dev.vantage.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.NotifierRegistry;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.schedule.ConfigSnapshot;
import dev.vantage.schedule.ScheduledMonitor;
import dev.vantage.store.MonitorRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks the objects of the files the way the agent checks a monitor row ({@link ConfigSnapshot}) and the monitor
 * module a channel row ({@link NotifierRegistry#configure}), so that a file and a row written in SQL get the same
 * message. Pure: the database's own constraints are checked when the plan is carried out.
 */
final class Validation {
    private Validation() {}

    static List<Problem> check(List<Item> items, MonitorRegistry monitors, NotifierRegistry notifiers) {
        var problems = new ArrayList<Problem>();
        for (Item item : items) {
            switch (item.kind()) {
                case MONITOR -> monitor(item, items, monitors).ifPresent(problems::add);
                case CHANNEL -> channel(item, notifiers).ifPresent(problems::add);
                case SCHEDULE -> {}
            }
        }
        return problems;
    }

    private static Optional<Problem> monitor(Item item, List<Item> items, MonitorRegistry registry) {
        String type = (String) item.values().get("type");
        if (type != null && type.strip().toLowerCase(Locale.ROOT).equals("push")) {
            return Optional.empty(); // not probed: the agent never loads it
        }
        // The interval only sets the default timeout; a schedule from the database counts as one minute here.
        int interval = items.stream()
                .filter(i -> i.kind() == Kind.SCHEDULE
                        && i.name().equals(item.values().get("schedule")))
                .map(i -> (Integer) i.values().get("interval"))
                .findFirst()
                .orElse(60);
        JsonNode headers = (JsonNode) item.values().get("headers");
        JsonNode settings = (JsonNode) item.values().get("settings");
        var row = new MonitorRow(
                0,
                item.name(),
                type,
                (String) item.values().get("method"),
                (String) item.values().get("url"),
                headers == null ? null : headers.toString(),
                (String) item.values().get("body"),
                settings == null ? null : settings.toString(),
                true,
                (Integer) item.values().get("timeout_ms"),
                0,
                Math.max(1, interval),
                false,
                null,
                null);
        List<ScheduledMonitor> invalid =
                ConfigSnapshot.build(List.of(row), registry).invalid();
        if (invalid.isEmpty()) {
            return Optional.empty();
        }
        String reason = invalid.getFirst().invalidReason();
        int colon = reason.indexOf(": ");
        String field = colon > 0 && !reason.substring(0, colon).contains(" ") ? reason.substring(0, colon) : null;
        return Optional.of(item.source().problem(field, field == null ? reason : reason.substring(colon + 2)));
    }

    private static Optional<Problem> channel(Item item, NotifierRegistry registry) {
        try {
            registry.configure(0, item.name(), (String) item.values().get("type"), (JsonNode)
                    item.values().get("settings"));
            return Optional.empty();
        } catch (InvalidChannelException e) {
            return Optional.of(item.source().problem(e.field(), e.reason()));
        }
    }
}
