package dev.vantage.apply;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What applying the files to the database changes: pure, from the {@link Item}s and the {@link Current} rows.
 *
 * <p>Identity: an object is the row an earlier apply recorded under its kind and name (applied_objects), else the one
 * row of its kind with its name (adopted: apply never deletes it), else a new row. References (a monitor's schedule,
 * channels, dependencies) name objects of the files or rows of the database; datacenters are named by code.
 *
 * @param changes creations and updates in {@link Kind} order, then deletions in reverse order
 * @param problems references that name nothing, or several rows
 * @param leftAlone rows of the managed kinds that the files do not name and apply does not delete (made in SQL, or
 *     adopted, or, without {@code --prune}, created by an earlier apply)
 * @param matches the rows the files stand for (an apply records them in applied_objects), placeholders for new ones
 * @param prunable rows that an earlier apply created and the files no longer name ({@code --prune} deletes them)
 * @param labels names to show for ids, placeholders (negative ids of rows to create) included
 */
record Plan(
        List<Change> changes,
        List<Problem> problems,
        List<Match> matches,
        int leftAlone,
        int prunable,
        Map<Kind, Map<Integer, String>> labels) {

    enum Action {
        CREATE,
        UPDATE,
        DELETE
    }

    /**
     * One row to create, update or delete. For a creation {@code rowId} is a negative placeholder, replaced by the new
     * row's id when it is inserted.
     *
     * @param values the item's values with references resolved to ids (null for a deletion)
     * @param diffs the fields that change (every field for a creation)
     */
    record Change(
            Action action,
            Kind kind,
            String name,
            int rowId,
            Item item,
            Map<String, Object> values,
            List<Diff> diffs) {}

    /** One field that changes; {@code before} is null for a creation. */
    record Diff(Field field, Object before, Object after) {}

    /** A row apply keeps: the item it stands for and whether apply created it. */
    record Match(Item item, int rowId, boolean created) {}

    static Plan of(List<Item> items, Current current, boolean prune) {
        return new Builder(current).build(items, prune);
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    private static final class Builder {
        private final Current current;
        private final List<Problem> problems = new ArrayList<>();
        private final Map<Kind, Map<String, Integer>> ids = new EnumMap<>(Kind.class);
        private final Map<Kind, Map<Integer, String>> labels = new EnumMap<>(Kind.class);
        private int nextPlaceholder = -1;

        Builder(Current current) {
            this.current = current;
        }

        Plan build(List<Item> items, boolean prune) {
            for (Kind kind : Kind.values()) {
                ids.put(kind, new HashMap<>());
                var kindLabels = new HashMap<Integer, String>();
                current.rows(kind).forEach(r -> kindLabels.put(r.id(), label(kind, r)));
                labels.put(kind, kindLabels);
            }
            var matched = new ArrayList<Match>();
            for (Kind kind : Kind.values()) {
                var taken = new HashMap<Integer, Item>();
                for (Item item : items) {
                    if (item.kind() == kind) {
                        match(item, taken).ifPresent(matched::add);
                    }
                }
            }
            var changes = new ArrayList<Change>();
            for (Match m : matched) {
                Map<String, Object> values = resolve(m.item());
                if (values == null) {
                    continue;
                }
                if (m.rowId() < 0) {
                    var diffs = new ArrayList<Diff>();
                    for (Field f : m.item().kind().fields()) {
                        if (values.containsKey(f.name())) {
                            diffs.add(new Diff(f, null, values.get(f.name())));
                        }
                    }
                    changes.add(new Change(
                            Action.CREATE, m.item().kind(), m.item().name(), m.rowId(), m.item(), values, diffs));
                } else {
                    Current.Row row = current.row(m.item().kind(), m.rowId()).orElseThrow();
                    var diffs = new ArrayList<Diff>();
                    if (!row.name().equals(m.item().name())) {
                        diffs.add(new Diff(
                                Field.required("name", Field.Type.TEXT),
                                row.name(),
                                m.item().name()));
                    }
                    for (Field f : m.item().kind().fields()) {
                        if (values.containsKey(f.name()) && !same(row.values().get(f.name()), values.get(f.name()))) {
                            diffs.add(new Diff(f, row.values().get(f.name()), values.get(f.name())));
                        }
                    }
                    if (!diffs.isEmpty()) {
                        changes.add(new Change(
                                Action.UPDATE, m.item().kind(), m.item().name(), m.rowId(), m.item(), values, diffs));
                    }
                }
            }
            int leftAlone = 0;
            int prunable = 0;
            var deletions = new ArrayList<Change>();
            for (Kind kind : Kind.values()) {
                var kept = new TreeSet<Integer>();
                matched.stream().filter(m -> m.item().kind() == kind).forEach(m -> kept.add(m.rowId()));
                var createdByApply = new HashMap<Integer, String>();
                current.tracked(kind).forEach((name, t) -> {
                    if (t.created()) {
                        createdByApply.put(t.rowId(), name);
                    }
                });
                for (Current.Row row : current.rows(kind)) {
                    if (kept.contains(row.id())) {
                        continue;
                    }
                    if (createdByApply.containsKey(row.id())) {
                        prunable++;
                        if (prune) {
                            deletions.add(new Change(Action.DELETE, kind, row.name(), row.id(), null, null, List.of()));
                            continue;
                        }
                    }
                    leftAlone++;
                }
            }
            // Monitors first: a schedule or channel is deleted after the monitors that use it.
            deletions.sort(
                    (a, b) -> Integer.compare(b.kind().ordinal(), a.kind().ordinal()));
            changes.addAll(deletions);
            return new Plan(
                    List.copyOf(changes), List.copyOf(problems), List.copyOf(matched), leftAlone, prunable, labels);
        }

        private Optional<Match> match(Item item, Map<Integer, Item> taken) {
            Kind kind = item.kind();
            Integer id = null;
            boolean created = false;
            Current.Tracked tracked = current.tracked(kind).get(item.name());
            if (tracked != null && current.row(kind, tracked.rowId()).isPresent()) {
                id = tracked.rowId();
                created = tracked.created();
            } else {
                List<Current.Row> named = current.named(kind, item.name());
                if (named.size() > 1) {
                    problems.add(item.source()
                            .problem(
                                    "name",
                                    "several " + kind.table() + " rows are named '" + item.name() + "' (ids "
                                            + named.stream()
                                                    .map(r -> String.valueOf(r.id()))
                                                    .toList()
                                            + "): rename all but one in SQL so that apply knows which one this is"));
                    return Optional.empty();
                }
                if (named.size() == 1) {
                    id = named.getFirst().id();
                    // A row apply created and that was renamed in SQL to this name is still one apply created.
                    int rowId = id;
                    created = current.tracked(kind).values().stream().anyMatch(t -> t.rowId() == rowId && t.created());
                }
            }
            if (id != null) {
                Item other = taken.putIfAbsent(id, item);
                if (other != null) {
                    problems.add(item.source()
                            .problem(
                                    "name",
                                    "stands for the same " + kind.word() + " row (id " + id + ") as '" + other.name()
                                            + "' at " + other.source().where()));
                    return Optional.empty();
                }
            } else {
                id = nextPlaceholder--;
                created = true;
            }
            ids.get(kind).put(item.name(), id);
            labels.get(kind).put(id, item.name());
            return Optional.of(new Match(item, id, created));
        }

        /** The item's values with names of other objects replaced by ids; null when one names nothing. */
        private Map<String, Object> resolve(Item item) {
            var values = new LinkedHashMap<String, Object>(item.values());
            boolean ok = true;
            for (Field f : item.kind().fields()) {
                Object v = values.get(f.name());
                if (f.type() == Field.Type.REF && v != null) {
                    Integer id = reference(item, f.name(), (String) v);
                    ok &= id != null;
                    values.put(f.name(), id);
                } else if (f.type() == Field.Type.REFS && v != null) {
                    var resolved = new TreeSet<Integer>();
                    for (Object name : (List<?>) v) {
                        Integer id = reference(item, f.name(), (String) name);
                        ok &= id != null;
                        if (id != null) {
                            resolved.add(id);
                        }
                    }
                    values.put(f.name(), List.copyOf(resolved));
                }
            }
            return ok ? values : null;
        }

        private Integer reference(Item item, String field, String name) {
            var kind = Kind.referenced(field);
            if (kind.isEmpty()) {
                for (var dc : current.datacenters().entrySet()) {
                    if (dc.getKey().equalsIgnoreCase(name)) {
                        return dc.getValue();
                    }
                }
                problems.add(item.source()
                        .problem(
                                field,
                                "no datacenter with code '" + name + "' (datacenters are made in SQL, not by apply;"
                                        + " known: "
                                        + String.join(
                                                ", ",
                                                new TreeSet<>(
                                                        current.datacenters().keySet()))
                                        + ")"));
                return null;
            }
            Integer id = ids.get(kind.get()).get(name);
            if (id != null) {
                return id;
            }
            List<Current.Row> named = current.named(kind.get(), name);
            if (named.size() == 1) {
                return named.getFirst().id();
            }
            problems.add(item.source()
                    .problem(
                            field,
                            named.isEmpty()
                                    ? "no " + kind.get().word() + " named '" + name + "' in the files or the database"
                                    : "several " + kind.get().table() + " rows are named '" + name + "' (ids "
                                            + named.stream()
                                                    .map(r -> String.valueOf(r.id()))
                                                    .toList() + ")"));
            return null;
        }

        private String label(Kind kind, Current.Row row) {
            return current.named(kind, row.name()).size() > 1 ? row.name() + " (id " + row.id() + ")" : row.name();
        }
    }

    static boolean same(Object a, Object b) {
        if (a instanceof JsonNode x && b instanceof JsonNode y) {
            return x.equals(y);
        }
        return Objects.equals(a, b);
    }
}
