package dev.vantage.apply;

import java.util.Map;
import java.util.Optional;

/**
 * One named object read from the files: its values by field name, in the representation of {@link Field.Type} (names
 * for references, until the plan resolves them), and where each was written.
 *
 * @param values every field of the kind, absent ones at their default, except {@link Field#keep keep} fields left out
 */
record Item(Kind kind, String name, Map<String, Object> values, Source source) {

    /**
     * Where an object was written.
     *
     * @param path e.g. {@code monitors[2]} (the index within its file)
     * @param lines line of each field given, by field name
     */
    record Source(String file, int line, String path, Map<String, Integer> lines) {

        /** A problem located at {@code field} (its line, else the object's). */
        Problem problem(String field, String message) {
            int at = field == null ? line : lines.getOrDefault(topField(field), line);
            return new Problem(file, at, field == null ? path : path + "." + field, message);
        }

        private static String topField(String field) {
            int dot = field.indexOf('.');
            return dot < 0 ? field : field.substring(0, dot);
        }

        String where() {
            return file + ":" + line;
        }
    }

    Optional<Object> value(String field) {
        return Optional.ofNullable(values.get(field));
    }
}
