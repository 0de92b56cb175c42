package dev.vantage.notify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** The notifiers on the class path, by type name (case-insensitive). Immutable once built. */
public final class NotifierRegistry {
    private final Map<String, Notifier<?, ?>> byName;
    private final List<String> types;

    private NotifierRegistry(List<Notifier<?, ?>> notifiers) {
        var names = new HashMap<String, Notifier<?, ?>>();
        var canonical = new TreeSet<String>();
        for (Notifier<?, ?> n : notifiers) {
            Notifier<?, ?> previous = names.put(n.type().toLowerCase(Locale.ROOT), n);
            if (previous != null) {
                throw new IllegalStateException("notifier type '" + n.type() + "' is claimed by both "
                        + previous.getClass().getName() + " and " + n.getClass().getName());
            }
            canonical.add(n.type());
        }
        this.byName = Map.copyOf(names);
        this.types = List.copyOf(canonical);
    }

    /** Every {@link Notifier} listed in META-INF/services. */
    @SuppressWarnings("rawtypes")
    public static NotifierRegistry load() {
        List<Notifier<?, ?>> found = new ArrayList<>();
        for (Notifier<?, ?> n : ServiceLoader.load(Notifier.class)) {
            found.add(n);
        }
        return new NotifierRegistry(found);
    }

    public static NotifierRegistry of(List<Notifier<?, ?>> notifiers) {
        return new NotifierRegistry(notifiers);
    }

    /** Canonical type names, sorted. */
    public List<String> types() {
        return types;
    }

    public Optional<Notifier<?, ?>> find(String type) {
        return type == null
                ? Optional.empty()
                : Optional.ofNullable(byName.get(type.trim().toLowerCase(Locale.ROOT)));
    }
}
