package dev.vantage.push;

import dev.vantage.store.PushDao;
import dev.vantage.store.PushTokenRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push tokens in memory, token → monitor, so a ping costs no query: loaded at start and on every configuration
 * change ({@code NOTIFY vantage_config}, see {@link dev.vantage.schedule.ConfigWatcher}). A token missing from them
 * (a monitor inserted a moment ago, before its reload) is looked up in the database, at most {@code lookupsPerSecond}
 * times a second for all senders together, so unknown tokens cannot load the database; past that bound a missing
 * token is answered as unknown. Tokens are secrets: this class never logs one.
 */
final class PushTokens {
    private static final Logger log = LoggerFactory.getLogger(PushTokens.class);

    /** Where a token leads: its monitor, and whether it takes beats. */
    record Target(int monitorId, boolean enabled) {}

    /**
     * The database could not be asked about a token missing from memory. It keeps only the driver's reason, not Jdbi's
     * exception, whose message lists the statement's arguments: the token.
     */
    static final class UnavailableException extends Exception {
        UnavailableException(String reason) {
            super("cannot look up a push token: " + reason);
        }
    }

    private final Jdbi jdbi;
    private final TokenBucket lookups;
    private final LongSupplier nanoTime;
    private final PushMeters meters;
    private final Consumer<Set<Integer>> onReload;
    private volatile Map<String, Target> loaded = Map.of();
    /** Tokens found by a lookup since the last reload. */
    private final ConcurrentHashMap<String, Target> found = new ConcurrentHashMap<>();

    /**
     * @param onReload told the push monitors' ids after each reload, to forget what belongs to monitors gone
     */
    PushTokens(
            Jdbi jdbi,
            double lookupsPerSecond,
            LongSupplier nanoTime,
            PushMeters meters,
            Consumer<Set<Integer>> onReload) {
        this.jdbi = jdbi;
        this.lookups =
                new TokenBucket(lookupsPerSecond, (int) Math.max(1, Math.ceil(lookupsPerSecond)), nanoTime.getAsLong());
        this.nanoTime = nanoTime;
        this.meters = meters;
        this.onReload = onReload;
    }

    /** Loads every push token; throws when the database cannot be read (the previous ones stay). */
    void reload(String reason) {
        List<PushTokenRow> rows = jdbi.withExtension(PushDao.class, PushDao::listTokens);
        var tokens = new HashMap<String, Target>(rows.size() * 2);
        for (PushTokenRow row : rows) {
            tokens.put(row.pushToken(), new Target(row.id(), row.enabled()));
        }
        loaded = Map.copyOf(tokens);
        found.clear();
        log.debug("Push tokens reloaded ({}): {} push monitors", reason, rows.size());
        onReload.accept(rows.stream().map(PushTokenRow::id).collect(Collectors.toUnmodifiableSet()));
    }

    /** The message of the innermost cause: the driver's or the pool's, which never quotes a bound value. */
    private static String rootReason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    int size() {
        return loaded.size();
    }

    /**
     * The target of a token: from memory, else from the database within the bound on lookups.
     *
     * @throws UnavailableException when the token is not in memory and the database cannot be asked
     */
    Optional<Target> find(String token) throws UnavailableException {
        Target target = loaded.get(token);
        if (target == null) {
            target = found.get(token);
        }
        if (target != null) {
            return Optional.of(target);
        }
        if (lookups.take(nanoTime.getAsLong()) > 0) {
            meters.lookup("limited");
            return Optional.empty();
        }
        Optional<PushTokenRow> row;
        try {
            row = jdbi.withExtension(PushDao.class, dao -> dao.findToken(token));
        } catch (JdbiException e) {
            meters.lookup("failed");
            throw new UnavailableException(rootReason(e));
        }
        meters.lookup(row.isPresent() ? "found" : "missing");
        return row.map(r -> {
            var t = new Target(r.id(), r.enabled());
            found.put(token, t);
            return t;
        });
    }
}
