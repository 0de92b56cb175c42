package dev.vantage.apply;

import static dev.vantage.apply.Field.Type.BOOL;
import static dev.vantage.apply.Field.Type.INT;
import static dev.vantage.apply.Field.Type.JSON;
import static dev.vantage.apply.Field.Type.REF;
import static dev.vantage.apply.Field.Type.REFS;
import static dev.vantage.apply.Field.Type.SECONDS;
import static dev.vantage.apply.Field.Type.TEXT;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Optional;

/**
 * The kinds of objects {@code vantage apply} manages, in the order they are created (a monitor names its schedule and
 * channels), each with its YAML section, its table and its fields. Regions and datacenters are referenced by code, not
 * managed; maintenance windows and phase thresholds are left to SQL and to {@code vantage maintenance}.
 */
enum Kind {
    SCHEDULE(
            "schedule",
            "schedules",
            "schedules",
            List.of(
                    Field.required("interval", SECONDS),
                    Field.of("include_response_body", BOOL, false),
                    Field.of("thresholds_warning", INT, null),
                    Field.of("thresholds_critical", INT, null))),
    CHANNEL(
            "channel",
            "channels",
            "notification_channels",
            List.of(
                    Field.required("type", TEXT),
                    Field.of("settings", JSON, JsonNodeFactory.instance.objectNode())
                            .secretValue(),
                    Field.of("enabled", BOOL, true),
                    Field.of("is_default", BOOL, false),
                    Field.of("repeat_every", SECONDS, 4 * 3600).orNull(),
                    Field.of("group_seconds", INT, 30))),
    MONITOR(
            "monitor",
            "monitors",
            "api_monitors",
            List.of(
                    Field.of("type", TEXT, "http"),
                    Field.of("method", TEXT, "GET"),
                    Field.of("url", TEXT, null).secretValue(),
                    Field.required("schedule", REF),
                    Field.of("datacenters", REFS, List.of()),
                    Field.of("channels", REFS, List.of()),
                    Field.of("depends_on", REFS, List.of()),
                    Field.of("headers", JSON, null).secretValue(),
                    Field.of("body", TEXT, null).secretValue(),
                    Field.of("settings", JSON, JsonNodeFactory.instance.objectNode()),
                    Field.of("enabled", BOOL, true),
                    Field.of("timeout_ms", INT, null),
                    Field.of("down_after", INT, null),
                    Field.of("up_after", INT, null),
                    Field.of("degraded_after", INT, null),
                    Field.of("grace_seconds", INT, null),
                    Field.of("quorum", INT, null),
                    Field.of("flap_changes", INT, null),
                    Field.of("flap_window_minutes", INT, null),
                    Field.of("notify_degraded_after", INT, null),
                    Field.of("public", BOOL, false),
                    Field.of("slug", TEXT, null),
                    Field.of("push_subject", TEXT, null),
                    Field.of("push_token", TEXT, null).secretValue().keptWhenAbsent()));

    private final String word;
    private final String section;
    private final String table;
    private final List<Field> fields;

    Kind(String word, String section, String table, List<Field> fields) {
        this.word = word;
        this.section = section;
        this.table = table;
        this.fields = fields;
    }

    /** {@code monitor}: in messages and in applied_objects.kind. */
    String word() {
        return word;
    }

    /** {@code monitors}: the YAML section. */
    String section() {
        return section;
    }

    String table() {
        return table;
    }

    List<Field> fields() {
        return fields;
    }

    Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The kind a reference field names: schedule → schedules, channels → channels, depends_on → monitors. */
    static Optional<Kind> referenced(String field) {
        return switch (field) {
            case "schedule" -> Optional.of(SCHEDULE);
            case "channels" -> Optional.of(CHANNEL);
            case "depends_on" -> Optional.of(MONITOR);
            default -> Optional.empty(); // datacenters: not managed
        };
    }
}
