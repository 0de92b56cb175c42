package dev.vantage.probe.net;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Name resolution for the HTTP and TCP probes: the operating system's resolver ({@link InetAddress#getAllByName}) with
 * the JVM's own address cache disabled, so that every probe measures a real lookup, and the special-use names of RFC
 * 6761 answered locally:
 *
 * <ul>
 *   <li>{@code .invalid} names fail at once; no query leaves the machine;
 *   <li>{@code localhost} and {@code *.localhost} are 127.0.0.1 then ::1 without a query (IPv4 first, because most
 *       loopback services, including the demo targets, listen on 127.0.0.1).
 * </ul>
 *
 * <p>A lookup cannot be interrupted, so it runs on a daemon thread and the caller waits only until its deadline; a
 * lookup that outlives the deadline finishes in the background and is discarded.
 */
public final class Resolver {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    static {
        disableJvmDnsCache();
    }

    private static final Resolver SYSTEM = new Resolver();

    private final ExecutorService lookups = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vantage-dns");
        t.setDaemon(true);
        return t;
    });

    private Resolver() {}

    /** The shared resolver. */
    public static Resolver system() {
        return SYSTEM;
    }

    /**
     * Sets {@code networkaddress.cache.ttl} and {@code networkaddress.cache.negative.ttl} to 0. The JVM reads them once,
     * at its first lookup, so this runs in this class's static initializer and {@code Main} calls it first thing.
     */
    public static void disableJvmDnsCache() {
        Security.setProperty("networkaddress.cache.ttl", "0");
        Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }

    /** True for an IPv4 or IPv6 literal, which needs no lookup (and so has no DNS phase). */
    public static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    /**
     * Resolves a host name, giving up at {@code deadlineNanos} ({@link System#nanoTime()} scale).
     *
     * @throws UnknownHostException the name does not resolve
     * @throws ResolveTimeoutException the deadline passed first
     */
    public List<InetAddress> resolve(String host, long deadlineNanos)
            throws UnknownHostException, InterruptedIOException {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("invalid") || name.endsWith(".invalid")) {
            throw new UnknownHostException(host + ": names under .invalid never resolve (RFC 6761)");
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return List.of(
                    InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}),
                    InetAddress.getByAddress(host, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        }
        if (isIpLiteral(host)) {
            return List.of(InetAddress.getByName(host));
        }
        return lookup(host, deadlineNanos);
    }

    private List<InetAddress> lookup(String host, long deadlineNanos)
            throws UnknownHostException, InterruptedIOException {
        CompletableFuture<InetAddress[]> answer = new CompletableFuture<>();
        lookups.execute(() -> {
            try {
                answer.complete(InetAddress.getAllByName(host));
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return List.of(answer.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            throw new ResolveTimeoutException(host);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResolveTimeoutException(host);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            var wrapped = new UnknownHostException(host + ": " + e.getCause());
            wrapped.initCause(e.getCause());
            throw wrapped;
        }
    }

    /** The deadline passed before the lookup answered. */
    public static final class ResolveTimeoutException extends InterruptedIOException {
        ResolveTimeoutException(String host) {
            super("lookup of " + host + " did not answer before the deadline");
        }
    }
}
