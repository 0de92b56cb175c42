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
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push monitors in memory, token → monitor for pings and push_subject → monitor for NATS and Redis senders, so a
 * beat costs no query: loaded at start and on every configuration change ({@code NOTIFY vantage_config}, see {@link
 * dev.vantage.schedule.ConfigWatcher}). A disabled monitor is loaded too, as disabled, so its beats are dropped (and
 * counted) and its subject is never taken for an unknown one. A token or subject missing from them (a monitor inserted
 * a moment ago, before its reload) is looked up in the database, at most {@code lookupsPerSecond} times a second for
 * all senders and both kinds of name together, so unknown names cannot load the database; past that bound a missing
 * name is taken as unknown. Tokens are secrets: this class never logs one.
 */
public final class PushTokens {
    private static final Logger log = LoggerFactory.getLogger(PushTokens.class);

    /** Where a token or subject leads: its monitor, and whether it takes beats. */
    public record Target(int monitorId, boolean enabled) {}

    /**
     * The database could not be asked about a name missing from memory. It keeps only the driver's reason, not Jdbi's
     * exception, whose message lists the statement's arguments: the token.
     */
    public static final class UnavailableException extends Exception {
        UnavailableException(String what, String reason) {
            super("cannot look up a push " + what + ": " + reason);
        }
    }

    private record Loaded(Map<String, Target> byToken, Map<String, Target> bySubject) {}

    private final Jdbi jdbi;
    private final TokenBucket lookups;
    private final LongSupplier nanoTime;
    private final PushMeters meters;
    private final Consumer<Set<Integer>> onReload;
    private volatile Loaded loaded = new Loaded(Map.of(), Map.of());
    /** Names found by a lookup (or registered) since the last reload. */
    private final ConcurrentHashMap<String, Target> foundTokens = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, Target> foundSubjects = new ConcurrentHashMap<>();

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

    /** Loads every push monitor's token and subject; throws when the database cannot be read (the previous stay). */
    void reload(String reason) {
        List<PushTokenRow> rows = jdbi.withExtension(PushDao.class, PushDao::listTokens);
        var tokens = new HashMap<String, Target>(rows.size() * 2);
        var subjects = new HashMap<String, Target>();
        for (PushTokenRow row : rows) {
            var target = new Target(row.id(), row.enabled());
            if (row.pushToken() != null) {
                tokens.put(row.pushToken(), target);
            }
            if (row.pushSubject() != null) {
                subjects.put(row.pushSubject(), target);
            }
        }
        loaded = new Loaded(Map.copyOf(tokens), Map.copyOf(subjects));
        foundTokens.clear();
        foundSubjects.clear();
        log.debug(
                "Push tokens reloaded ({}): {} push monitors, {} with a subject", reason, rows.size(), subjects.size());
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
        return loaded.byToken().size();
    }

    /**
     * The target of a token: from memory, else from the database within the bound on lookups.
     *
     * @throws UnavailableException when the token is not in memory and the database cannot be asked
     */
    public Optional<Target> find(String token) throws UnavailableException {
        return find("token", token, loaded.byToken(), foundTokens, dao -> dao.findToken(token));
    }

    /**
     * The target of a push_subject (the name NATS and Redis senders use): from memory, else from the database within
     * the bound on lookups.
     *
     * @throws UnavailableException when the subject is not in memory and the database cannot be asked
     */
    public Optional<Target> findSubject(String subject) throws UnavailableException {
        return find("subject", subject, loaded.bySubject(), foundSubjects, dao -> dao.findSubject(subject));
    }

    /**
     * Remembers a subject's monitor until the next reload, e.g. one a transport has just registered, so its next
     * beats cost no lookup.
     */
    public void rememberSubject(String subject, Target target) {
        foundSubjects.put(subject, target);
    }

    private Optional<Target> find(
            String what,
            String name,
            Map<String, Target> inMemory,
            ConcurrentHashMap<String, Target> found,
            Function<PushDao, Optional<PushTokenRow>> query)
            throws UnavailableException {
        Target target = inMemory.get(name);
        if (target == null) {
            target = found.get(name);
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
            row = jdbi.withExtension(PushDao.class, query::apply);
        } catch (JdbiException e) {
            meters.lookup("failed");
            throw new UnavailableException(what, rootReason(e));
        }
        meters.lookup(row.isPresent() ? "found" : "missing");
        return row.map(r -> {
            var t = new Target(r.id(), r.enabled());
            found.put(name, t);
            return t;
        });
    }
}
