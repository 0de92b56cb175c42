package dev.vantage.notify.redis;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import javax.net.ssl.SSLException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What a Jedis failure says without the server's words (which may quote a credential): why a connection failed, and
 * the error code of a reply. Shared by every Redis user: the {@code redis} notifier, {@code vantage beat} and Redis
 * ingest, which each phrase the cause their own way.
 */
public final class RedisFailures {
    /** Why the connection failed. */
    public enum Cause {
        REFUSED,
        TIMEOUT,
        UNRESOLVED,
        TLS,
        OTHER
    }

    /**
     * @param type the simple class name of the TLS exception (for {@link Cause#TLS}) or of the exception given (for
     *     {@link Cause#OTHER})
     */
    public record Failure(Cause cause, String type) {}

    private RedisFailures() {}

    /**
     * The first cause that names why, searched through what Jedis wraps: causes, and suppressed exceptions (one per
     * address a name resolved to).
     */
    public static Failure classify(JedisConnectionException e) {
        var pending = new ArrayDeque<Throwable>(List.of(e));
        var seen = Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>());
        while (!pending.isEmpty()) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            switch (t) {
                case ConnectException c -> {
                    return new Failure(Cause.REFUSED, null);
                }
                case SocketTimeoutException c -> {
                    return new Failure(Cause.TIMEOUT, null);
                }
                case UnknownHostException c -> {
                    return new Failure(Cause.UNRESOLVED, null);
                }
                case SSLException c -> {
                    return new Failure(Cause.TLS, c.getClass().getSimpleName());
                }
                default -> {
                    if (t.getCause() != null) {
                        pending.add(t.getCause());
                    }
                    pending.addAll(List.of(t.getSuppressed()));
                }
            }
        }
        return new Failure(Cause.OTHER, e.getClass().getSimpleName());
    }

    /** Redis's error code, the first word of its reply ({@code NOGROUP}, {@code WRONGPASS}, …); never the rest. */
    public static String code(JedisDataException e) {
        String first = text(e).split(" ", 2)[0];
        return first.matches("[A-Z]{2,20}") ? first : "ERR";
    }

    /**
     * The code of a reply to a command: as {@link #code}, except that a command longer than a few arguments from a
     * client that has not authenticated is refused as a protocol error ("Protocol error: unauthenticated multibulk
     * length") before it could be answered with NOAUTH, and is read as NOAUTH.
     */
    public static String commandCode(JedisDataException e) {
        String code = code(e);
        return code.equals("ERR") && text(e).contains("unauthenticated") ? "NOAUTH" : code;
    }

    private static String text(JedisDataException e) {
        return e.getMessage() == null ? "" : e.getMessage();
    }
}
