package dev.vantage.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reading and binding the column types that plain JDBC maps awkwardly: timestamptz, integer[] and timestamptz[]. */
public final class Columns {
    private Columns() {}

    public static Timestamp timestamp(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    public static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static List<Integer> integers(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((Integer[]) a.getArray());
    }

    public static List<Instant> instants(Array a) throws SQLException {
        if (a == null) {
            return List.of();
        }
        var out = new ArrayList<Instant>();
        for (Object o : (Object[]) a.getArray()) {
            out.add(((Timestamp) o).toInstant());
        }
        return out;
    }
}
