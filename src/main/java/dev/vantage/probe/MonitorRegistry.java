package dev.vantage.probe;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** The monitor types on the class path, by type name and alias (case-insensitive). Immutable once built. */
public final class MonitorRegistry {
    private final Map<String, Monitor<?>> byName;
    private final List<String> types;

    private MonitorRegistry(List<Monitor<?>> monitors) {
        var names = new HashMap<String, Monitor<?>>();
        var canonical = new TreeSet<String>();
        for (Monitor<?> m : monitors) {
            canonical.add(m.type());
            register(names, m.type(), m);
            m.aliases().forEach(alias -> register(names, alias, m));
        }
        this.byName = Map.copyOf(names);
        this.types = List.copyOf(canonical);
    }

    private static void register(Map<String, Monitor<?>> names, String name, Monitor<?> m) {
        Monitor<?> previous = names.put(name.toLowerCase(Locale.ROOT), m);
        if (previous != null && previous != m) {
            throw new IllegalStateException("monitor type name '" + name + "' is claimed by both "
                    + previous.getClass().getName() + " and " + m.getClass().getName());
        }
    }

    /** Every {@link Monitor} listed in META-INF/services. */
    @SuppressWarnings("rawtypes")
    public static MonitorRegistry load() {
        List<Monitor<?>> found = new java.util.ArrayList<>();
        for (Monitor<?> m : ServiceLoader.load(Monitor.class)) {
            found.add(m);
        }
        return new MonitorRegistry(found);
    }

    public static MonitorRegistry of(List<Monitor<?>> monitors) {
        return new MonitorRegistry(monitors);
    }

    /** Canonical type names, sorted. */
    public List<String> types() {
        return types;
    }

    public Optional<Monitor<?>> find(String type) {
        return type == null
                ? Optional.empty()
                : Optional.ofNullable(byName.get(type.trim().toLowerCase(Locale.ROOT)));
    }

    /** Validates a row with its type into a runnable probe. */
    public PreparedProbe<?> prepare(MonitorSpec spec) throws InvalidMonitorException {
        if (spec.type() == null || spec.type().isBlank()) {
            throw new InvalidMonitorException("type", "is empty (known types: " + String.join(", ", types) + ")");
        }
        Monitor<?> monitor = find(spec.type())
                .orElseThrow(() -> new InvalidMonitorException(
                        "type",
                        "unknown monitor type '" + spec.type() + "' (known types: " + String.join(", ", types) + ")"));
        return PreparedProbe.of(monitor, spec);
    }
}
