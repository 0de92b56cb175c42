package dev.vantage.probe.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Resolving and connecting within one probe's deadline, for the types that open a socket to a host and a port
 * themselves ({@code tcp}, {@code tls}): the DNS phase is stamped on the probe's {@link Trace}, and each address is
 * tried in turn with what is left of the deadline.
 */
public final class Dialer {
    private Dialer() {}

    /** The addresses of {@code host}: an IP literal as it is, a name through the system resolver (the DNS phase). */
    public static List<InetAddress> resolve(String host, Trace trace, long deadlineNanos)
            throws UnknownHostException, InterruptedIOException {
        if (Resolver.isIpLiteral(host)) {
            return List.of(InetAddress.getByName(host));
        }
        trace.dnsStarted();
        List<InetAddress> found = Resolver.system().resolve(host, deadlineNanos);
        trace.dnsDone();
        return found;
    }

    /**
     * A socket of {@code factory} connected to the first of {@code addresses} that accepts on {@code port}; the last
     * failure when none does, or when the deadline passes between two tries.
     */
    public static Socket connect(TimedSocketFactory factory, List<InetAddress> addresses, int port, long deadlineNanos)
            throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = factory.createSocket();
            try {
                socket.connect(new InetSocketAddress(address, port), remainingMillis(deadlineNanos));
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
                if (System.nanoTime() >= deadlineNanos) {
                    break;
                }
            }
        }
        throw last;
    }

    /** Milliseconds left before {@code deadlineNanos} ({@link System#nanoTime()}), at least 1; throws once passed. */
    public static int remainingMillis(long deadlineNanos) throws InterruptedIOException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (ms <= 0) {
            throw new InterruptedIOException("deadline passed");
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }
}
