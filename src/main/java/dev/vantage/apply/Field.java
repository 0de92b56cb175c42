package dev.vantage.apply;

/**
 * One setting of a YAML object and the column that stores it. The YAML key is the column name, so that what a file
 * says reads like the SQL it stands for.
 *
 * @param name YAML key and column name
 * @param type how the value is read, compared, written and shown
 * @param absent the value a file that leaves the key out means (the column's default), ignored when {@code keep}
 * @param nullable whether {@code key: null} is accepted
 * @param secret may hold a credential: {@code ${env:NAME}} is resolved in it, the diff never shows it, and
 *     {@code vantage export} writes an environment reference in its place unless asked for secrets
 * @param keep a file that leaves the key out leaves the column as it is (a push token the database generated)
 */
record Field(String name, Type type, Object absent, boolean nullable, boolean secret, boolean keep) {

    /** How a value is represented: in memory (the Java type given) and in YAML. */
    enum Type {
        /** String. */
        TEXT,
        /** Integer. */
        INT,
        /** Boolean. */
        BOOL,
        /** Integer seconds; YAML takes a number of seconds or a duration such as {@code 90s}, {@code 5m}, {@code 1h30m}. */
        SECONDS,
        /** A Jackson JsonNode (a JSON column written as YAML). */
        JSON,
        /** Integer id of a row of another kind, named in YAML. */
        REF,
        /** Sorted list of Integer ids of rows of another kind (or of datacenters), named in YAML. */
        REFS
    }

    static Field of(String name, Type type, Object absent) {
        return new Field(name, type, absent, absent == null, false, false);
    }

    static Field required(String name, Type type) {
        return new Field(name, type, null, false, false, false);
    }

    Field orNull() {
        return new Field(name, type, absent, true, secret, keep);
    }

    Field secretValue() {
        return new Field(name, type, absent, nullable, true, keep);
    }

    Field keptWhenAbsent() {
        return new Field(name, type, absent, nullable, secret, true);
    }

    /** A field a file must give (its column has no default). */
    boolean required() {
        return absent == null && !nullable && !keep;
    }

    /** The column as SQL, quoted ({@code interval} and {@code public} are keywords). */
    String column() {
        return '"' + name + '"';
    }
}
