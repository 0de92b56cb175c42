package dev.vantage.apply;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link Plan} as lines for people: what is created, what changes (old → new), what is deleted. Shows no secret. */
final class DiffText {
    private DiffText() {}

    /** @param datacenters datacenter codes by id */
    static List<String> lines(Plan plan, Map<Integer, String> datacenters) {
        var lines = new ArrayList<String>();
        for (Plan.Change c : plan.changes()) {
            String what = c.kind().word() + " '" + c.name() + "'";
            switch (c.action()) {
                case CREATE -> lines.add("create " + what);
                case DELETE -> lines.add("delete " + what + " (id " + c.rowId() + ")");
                case UPDATE -> {
                    lines.add("update " + what + " (id " + c.rowId() + ")");
                    for (Plan.Diff d : c.diffs()) {
                        lines.add("    " + d.field().name() + ": " + change(d, plan.labels(), datacenters));
                    }
                }
            }
        }
        return lines;
    }

    /** {@code 3 to create, 1 to update, 0 to delete}. */
    static String summary(Plan plan) {
        long create = plan.changes().stream()
                .filter(c -> c.action() == Plan.Action.CREATE)
                .count();
        long update = plan.changes().stream()
                .filter(c -> c.action() == Plan.Action.UPDATE)
                .count();
        long delete = plan.changes().stream()
                .filter(c -> c.action() == Plan.Action.DELETE)
                .count();
        return create + " to create, " + update + " to update, " + delete + " to delete";
    }

    private static String change(
            Plan.Diff d, Map<Kind, Map<Integer, String>> labels, Map<Integer, String> datacenters) {
        Field f = d.field();
        if (f.secret() && !f.name().equals("url")) {
            return d.before() == null ? "set (value hidden)" : d.after() == null ? "removed" : "changed (value hidden)";
        }
        return show(f, d.before(), labels, datacenters) + " → " + show(f, d.after(), labels, datacenters);
    }

    static String show(Field f, Object v, Map<Kind, Map<Integer, String>> labels, Map<Integer, String> datacenters) {
        if (v == null) {
            return "null";
        }
        return switch (f.type()) {
            case REF -> labels.get(Kind.referenced(f.name()).orElseThrow()).getOrDefault(v, "id " + v);
            case REFS -> {
                var kind = Kind.referenced(f.name());
                var shown = new ArrayList<String>();
                for (Object id : (List<?>) v) {
                    var names = kind.isPresent() ? labels.get(kind.get()) : datacenters;
                    shown.add(names.getOrDefault(id, "id " + id));
                }
                yield shown.toString();
            }
            case SECONDS -> YamlWriter.duration((Integer) v);
            case JSON -> ((JsonNode) v).toString();
            case TEXT -> f.name().equals("url") ? redacted((String) v) : "'" + v + "'";
            default -> String.valueOf(v);
        };
    }

    /** The URL with its user info (user:password@) replaced by ***@, as api_monitors.url_redacted does. */
    static String redacted(String url) {
        return "'" + url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1***@") + "'";
    }
}
