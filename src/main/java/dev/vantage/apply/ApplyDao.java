package dev.vantage.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementException;
import org.postgresql.util.PSQLException;

/**
 * The SQL of {@code vantage apply} and {@code vantage export}: reads the configuration tables into a {@link Current},
 * and carries out a {@link Plan} in the caller's transaction. Every statement runs under its own savepoint so that one
 * refused by the database (a CHECK, a unique name, a dependency cycle) is reported against the object and field that
 * caused it, and the others still run and report theirs; the caller rolls back when any was refused.
 */
final class ApplyDao {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Serializes concurrent applies ('VANT' << 32 | 'APPL'). */
    private static final long APPLY_LOCK = 0x56414E54_4150504CL;

    private ApplyDao() {}

    /** Waits for any other apply to end, then reads the configuration. */
    static Current load(Handle h) {
        h.execute("SELECT pg_advisory_xact_lock(?)", APPLY_LOCK);
        var rows = new EnumMap<Kind, List<Current.Row>>(Kind.class);
        for (Kind kind : Kind.values()) {
            rows.put(kind, rows(h, kind));
        }
        var datacenters = new TreeMap<String, Integer>();
        h.createQuery("SELECT code, id FROM datacenters")
                .map((rs, ctx) -> datacenters.put(rs.getString(1), rs.getInt(2)))
                .list();
        var tracked = new EnumMap<Kind, Map<String, Current.Tracked>>(Kind.class);
        for (Kind kind : Kind.values()) {
            tracked.put(kind, new HashMap<>());
        }
        h.createQuery("SELECT kind, name, row_id, origin FROM applied_objects")
                .map((rs, ctx) -> {
                    for (Kind kind : Kind.values()) {
                        if (kind.word().equals(rs.getString(1))) {
                            tracked.get(kind)
                                    .put(
                                            rs.getString(2),
                                            new Current.Tracked(
                                                    rs.getInt(3),
                                                    rs.getString(4).equals("created")));
                        }
                    }
                    return 0;
                })
                .list();
        return new Current(rows, datacenters, tracked);
    }

    private static List<Current.Row> rows(Handle h, Kind kind) {
        var columns = new ArrayList<String>();
        for (Field f : kind.fields()) {
            if (f.type() != Field.Type.REFS) {
                columns.add(read(f));
            }
        }
        var links = new HashMap<String, Map<Integer, List<Integer>>>();
        if (kind == Kind.MONITOR) {
            links.put("datacenters", links(h, "SELECT monitor_id, datacenter_id FROM datacenter_monitors"));
            links.put("channels", links(h, "SELECT monitor_id, channel_id FROM monitor_channels"));
            links.put("depends_on", links(h, "SELECT monitor_id, depends_on FROM monitor_dependencies"));
        }
        return h.createQuery(
                        "SELECT id, name, " + String.join(", ", columns) + " FROM " + kind.table() + " ORDER BY id")
                .map((rs, ctx) -> {
                    int id = rs.getInt("id");
                    var values = new LinkedHashMap<String, Object>();
                    int i = 3;
                    for (Field f : kind.fields()) {
                        if (f.type() == Field.Type.REFS) {
                            values.put(f.name(), links.get(f.name()).getOrDefault(id, List.of()));
                        } else {
                            values.put(f.name(), value(f, rs, i++));
                        }
                    }
                    return new Current.Row(kind, id, rs.getString("name"), values);
                })
                .list();
    }

    private static Map<Integer, List<Integer>> links(Handle h, String sql) {
        var sets = new HashMap<Integer, TreeSet<Integer>>();
        h.createQuery(sql)
                .map((rs, ctx) ->
                        sets.computeIfAbsent(rs.getInt(1), k -> new TreeSet<>()).add(rs.getInt(2)))
                .list();
        var lists = new HashMap<Integer, List<Integer>>();
        sets.forEach((k, v) -> lists.put(k, List.copyOf(v)));
        return lists;
    }

    private static String read(Field f) {
        return switch (f.type()) {
            case JSON -> f.column() + "::text";
            case REF -> "schedule_id";
            case SECONDS -> f.name().equals("repeat_every") ? "extract(epoch FROM repeat_every)::integer" : f.column();
            default -> f.column();
        };
    }

    private static Object value(Field f, ResultSet rs, int i) throws SQLException {
        Object v = rs.getObject(i);
        if (v == null) {
            return null;
        }
        return switch (f.type()) {
            case JSON -> {
                try {
                    yield JSON.readTree((String) v);
                } catch (JsonProcessingException e) {
                    throw new SQLException(f.name() + " is not JSON", e);
                }
            }
            case INT, SECONDS, REF -> ((Number) v).intValue();
            default -> v;
        };
    }

    /**
     * Carries out the plan; returns what the database refused (empty: everything was done). Rows created get their
     * placeholder replaced by their id in the applied_objects records.
     */
    static List<Problem> execute(Handle h, Plan plan) {
        return new Execution(h, plan).run();
    }

    private static final class Execution {
        private final Handle h;
        private final Plan plan;
        private final Map<Integer, Integer> created = new HashMap<>();
        private final List<Problem> problems = new ArrayList<>();

        Execution(Handle h, Plan plan) {
            this.h = h;
            this.plan = plan;
        }

        List<Problem> run() {
            for (Plan.Change c : plan.changes()) {
                if (c.action() == Plan.Action.CREATE) {
                    create(c);
                } else if (c.action() == Plan.Action.UPDATE) {
                    update(c);
                }
            }
            for (Plan.Change c : plan.changes()) {
                if (c.kind() == Kind.MONITOR && c.action() != Plan.Action.DELETE) {
                    link(c);
                }
            }
            for (Plan.Change c : plan.changes()) {
                if (c.action() == Plan.Action.DELETE) {
                    delete(c);
                }
            }
            if (problems.isEmpty()) {
                record();
            }
            return problems;
        }

        private void create(Plan.Change c) {
            var columns = new ArrayList<String>();
            var values = new ArrayList<String>();
            columns.add("name");
            values.add(":name");
            for (Field f : columns(c)) {
                columns.add(write(f));
                values.add(placeholder(f));
            }
            String sql = "INSERT INTO " + c.kind().table() + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", values) + ") RETURNING id";
            attempt(c, null, () -> {
                var q = h.createQuery(sql).bind("name", c.name());
                bindAll(q, c, columns(c));
                created.put(c.rowId(), q.mapTo(Integer.class).one());
            });
        }

        private void update(Plan.Change c) {
            var sets = new ArrayList<String>();
            boolean renamed = c.diffs().stream().anyMatch(d -> d.field().name().equals("name"));
            if (renamed) {
                sets.add("name = :name");
            }
            var changed = c.diffs().stream().map(d -> d.field().name()).toList();
            var fields =
                    columns(c).stream().filter(f -> changed.contains(f.name())).toList();
            for (Field f : fields) {
                sets.add(write(f) + " = " + placeholder(f));
            }
            if (sets.isEmpty()) {
                return; // only links change
            }
            String sql = "UPDATE " + c.kind().table() + " SET " + String.join(", ", sets) + " WHERE id = :id";
            attempt(c, fields.size() == 1 ? fields.getFirst().name() : null, () -> {
                var u = h.createUpdate(sql).bind("id", c.rowId());
                if (renamed) {
                    u.bind("name", c.name());
                }
                bindAll(u, c, fields);
                u.execute();
            });
        }

        /** The fields of a change that are columns of its table (not links), and not a placeholder still unresolved. */
        private List<Field> columns(Plan.Change c) {
            return c.kind().fields().stream()
                    .filter(f -> f.type() != Field.Type.REFS && c.values().containsKey(f.name()))
                    .toList();
        }

        private void bindAll(SqlStatement<?> s, Plan.Change c, List<Field> fields) {
            for (Field f : fields) {
                Object v = c.values().get(f.name());
                switch (f.type()) {
                    case INT, SECONDS -> s.bind(f.name(), (Integer) v);
                    case REF -> s.bind(f.name(), id((Integer) v));
                    case BOOL -> s.bind(f.name(), (Boolean) v);
                    case JSON -> s.bind(f.name(), v == null ? null : v.toString());
                    default -> s.bind(f.name(), (String) v);
                }
            }
        }

        /** Sets a monitor's datacenters, channels and dependencies to those of the files. */
        private void link(Plan.Change c) {
            int monitor = id(c.rowId());
            if (monitor < 0) {
                return; // its creation was refused, and reported
            }
            var changed = c.diffs().stream().map(d -> d.field().name()).toList();
            link(c, monitor, changed, "datacenters", "datacenter_monitors", "datacenter_id");
            link(c, monitor, changed, "channels", "monitor_channels", "channel_id");
            link(c, monitor, changed, "depends_on", "monitor_dependencies", "depends_on");
        }

        private void link(Plan.Change c, int monitor, List<String> changed, String field, String table, String column) {
            if (!changed.contains(field)) {
                return;
            }
            var ids = new ArrayList<Integer>();
            for (Object v : (List<?>) c.values().get(field)) {
                int id = id((Integer) v);
                if (id < 0) {
                    return; // names an object whose creation was refused, and reported
                }
                ids.add(id);
            }
            attempt(c, field, () -> {
                h.createUpdate("DELETE FROM " + table + " WHERE monitor_id = :m AND NOT " + column + " = ANY(:ids)")
                        .bind("m", monitor)
                        .bindArray("ids", Integer.class, ids)
                        .execute();
                h.createUpdate("INSERT INTO " + table + " (monitor_id, " + column + ") SELECT :m, unnest(:ids)"
                                + " ON CONFLICT DO NOTHING")
                        .bind("m", monitor)
                        .bindArray("ids", Integer.class, ids)
                        .execute();
            });
        }

        private void delete(Plan.Change c) {
            String what = c.kind().word() + " '" + c.name() + "' (id " + c.rowId() + ")";
            if (c.kind() == Kind.CHANNEL) {
                int pending = h.createQuery(
                                "SELECT count(*) FROM notifications WHERE channel_id = ? AND status = 'pending'")
                        .bind(0, c.rowId())
                        .mapTo(Integer.class)
                        .one();
                if (pending > 0) {
                    problems.add(new Problem(
                            "--prune",
                            0,
                            "",
                            what + " has " + pending + " notification(s) still to deliver, which deleting it would"
                                    + " drop: set enabled: false instead, and prune it once they are delivered"));
                    return;
                }
            }
            if (c.kind() == Kind.SCHEDULE) {
                List<String> users = h.createQuery(
                                "SELECT name || ' (id ' || id || ')' FROM api_monitors WHERE schedule_id = ? ORDER BY id")
                        .bind(0, c.rowId())
                        .mapTo(String.class)
                        .list();
                if (!users.isEmpty()) {
                    problems.add(new Problem(
                            "--prune",
                            0,
                            "",
                            what + " is still the schedule of monitor(s) " + String.join(", ", users)
                                    + ", which the files do not manage: give them another schedule first"));
                    return;
                }
            }
            try {
                h.createUpdate("DELETE FROM " + c.kind().table() + " WHERE id = ?")
                        .bind(0, c.rowId())
                        .execute();
            } catch (StatementException e) {
                problems.add(
                        new Problem("--prune", 0, "", what + ": the database refused to delete it: " + message(e)));
            }
        }

        /** applied_objects: one record per object of the files; records of deleted or vanished rows dropped. */
        private void record() {
            for (Plan.Change c : plan.changes()) {
                if (c.action() == Plan.Action.DELETE) {
                    h.execute(
                            "DELETE FROM applied_objects WHERE kind = ? AND row_id = ?",
                            c.kind().word(),
                            c.rowId());
                }
            }
            for (Plan.Match m : plan.matches()) {
                int id = id(m.rowId());
                if (id < 0) {
                    continue; // not created: the plan named something it could not resolve
                }
                String kind = m.item().kind().word();
                h.execute(
                        "DELETE FROM applied_objects WHERE kind = ? AND (row_id = ? OR name = ?)",
                        kind,
                        id,
                        m.item().name());
                h.execute(
                        "INSERT INTO applied_objects (kind, name, row_id, origin) VALUES (?, ?, ?, ?)",
                        kind,
                        m.item().name(),
                        id,
                        m.created() ? "created" : "adopted");
            }
            h.execute(
                    """
                    DELETE FROM applied_objects a WHERE NOT EXISTS (
                        SELECT 1 FROM schedules s WHERE a.kind = 'schedule' AND s.id = a.row_id
                        UNION ALL SELECT 1 FROM notification_channels c WHERE a.kind = 'channel' AND c.id = a.row_id
                        UNION ALL SELECT 1 FROM api_monitors m WHERE a.kind = 'monitor' AND m.id = a.row_id)
                    """);
        }

        private int id(Integer placeholderOrId) {
            if (placeholderOrId == null) {
                return -1;
            }
            return placeholderOrId >= 0 ? placeholderOrId : created.getOrDefault(placeholderOrId, -1);
        }

        /**
         * Runs one statement under a savepoint; a refusal becomes a problem at the field the constraint is about (else
         * {@code field}, else the object).
         */
        private void attempt(Plan.Change c, String field, Runnable statement) {
            boolean unresolved = c.kind() == Kind.MONITOR
                    && c.values().get("schedule") != null
                    && id((Integer) c.values().get("schedule")) < 0;
            if (unresolved) {
                return; // its schedule's creation was refused, and reported
            }
            h.savepoint("vantage_apply");
            try {
                statement.run();
                h.release("vantage_apply");
            } catch (StatementException e) {
                h.rollbackToSavepoint("vantage_apply");
                String constraint = constraint(e);
                String at = fieldOf(c.kind(), constraint, field);
                String shown = "";
                if (at != null && c.values().containsKey(at)) {
                    Field f = c.kind().field(at).orElseThrow();
                    shown = f.secret() ? "" : DiffText.show(f, c.values().get(at), plan.labels(), Map.of()) + ": ";
                }
                String definition = constraint == null
                        ? ""
                        : h.createQuery("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = ? LIMIT 1")
                                .bind(0, constraint)
                                .mapTo(String.class)
                                .findOne()
                                .map(d -> " (" + d + ")")
                                .orElse("");
                problems.add(
                        c.item().source().problem(at, shown + "refused by the database: " + message(e) + definition));
            }
        }

        /** The field a constraint such as {@code api_monitors_down_after_check} or {@code api_monitors_slug_key} is about. */
        private static String fieldOf(Kind kind, String constraint, String fallback) {
            if (constraint != null && constraint.startsWith(kind.table() + "_")) {
                String rest = constraint.substring(kind.table().length() + 1);
                String best = null;
                for (Field f : kind.fields()) {
                    String column = f.type() == Field.Type.REF ? "schedule_id" : f.name();
                    if (rest.startsWith(column + "_")
                            && (best == null || f.name().length() > best.length())) {
                        best = f.name();
                    }
                }
                if (rest.startsWith("name_")) {
                    return "name";
                }
                if (best != null) {
                    return best;
                }
            }
            return fallback;
        }

        private static String constraint(StatementException e) {
            return e.getCause() instanceof PSQLException p && p.getServerErrorMessage() != null
                    ? p.getServerErrorMessage().getConstraint()
                    : null;
        }

        /** The server's message without its DETAIL (which may show a row's values, secrets included). */
        private static String message(StatementException e) {
            if (e.getCause() instanceof PSQLException p && p.getServerErrorMessage() != null) {
                return p.getServerErrorMessage().getMessage();
            }
            return dev.vantage.Causes.rootMessage(e).lines().findFirst().orElse("");
        }
    }

    /** The column a field is written to, quoted. */
    private static String write(Field f) {
        return f.type() == Field.Type.REF ? "schedule_id" : f.column();
    }

    /** The bind expression of a field. */
    private static String placeholder(Field f) {
        return switch (f.type()) {
            case JSON -> "CAST(:" + f.name() + " AS jsonb)";
            case SECONDS ->
                f.name().equals("repeat_every")
                        ? "CAST(:" + f.name() + " AS integer) * interval '1 second'"
                        : ":" + f.name();
            default -> ":" + f.name();
        };
    }
}
