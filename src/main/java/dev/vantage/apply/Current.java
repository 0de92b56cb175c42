package dev.vantage.apply;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration as stored, as {@code apply} compares it with the files.
 *
 * @param rows every row of each kind, by kind
 * @param datacenters datacenter ids by code (referenced by monitors, not managed)
 * @param tracked what earlier applies recorded in applied_objects, by kind and name
 */
record Current(Map<Kind, List<Row>> rows, Map<String, Integer> datacenters, Map<Kind, Map<String, Tracked>> tracked) {

    /**
     * One row: its values in the representation of {@link Field.Type}, references as ids (REFS sorted).
     */
    record Row(Kind kind, int id, String name, Map<String, Object> values) {}

    /** An applied_objects record. */
    record Tracked(int rowId, boolean created) {}

    List<Row> rows(Kind kind) {
        return rows.getOrDefault(kind, List.of());
    }

    Optional<Row> row(Kind kind, int id) {
        return rows(kind).stream().filter(r -> r.id() == id).findFirst();
    }

    List<Row> named(Kind kind, String name) {
        return rows(kind).stream().filter(r -> r.name().equals(name)).toList();
    }

    Map<String, Tracked> tracked(Kind kind) {
        return tracked.getOrDefault(kind, Map.of());
    }
}
