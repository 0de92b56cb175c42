package dev.vantage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for the test PostgreSQL servers, chosen below the kernel's ephemeral port range.
 *
 * <p>A port from {@code new ServerSocket(0)} comes from the ephemeral range, which every other socket on the host
 * draws from too: listeners bound to port 0 and the local end of every outgoing connection. A {@link
 * StandalonePostgres} that is stopped and started again (FailoverIT keeps one down for a minute) leaves its port free
 * in between; with test JVMs running side by side, any of their sockets could take it and the restart would fail. A
 * port below the range is never handed out by the kernel: only another explicit choice from the same range can meet
 * it, which the bind check below and the memory of this JVM's own choices make unlikely.
 */
final class ServerPorts {
    private static final int LOWEST = 20_000;
    private static final int FALLBACK_EPHEMERAL_START = 32_768;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private ServerPorts() {}

    /** A port free on 127.0.0.1 now, below the ephemeral range, not handed out before in this JVM. */
    static int next() {
        int end = ephemeralStart();
        if (end - LOWEST < 1_000) {
            return anyFreePort(); // an unusual range that leaves no room below it: the kernel's choice, as before
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, end);
            if (HANDED_OUT.add(port) && isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found in [" + LOWEST + ", " + end + ") on 127.0.0.1");
    }

    private static int ephemeralStart() {
        try {
            // Not Files.readString: procfs reports a size of 0, and readString returned the first byte only (JDK 25
            // here).
            String[] range =
                    Files.readAllLines(EPHEMERAL_RANGE).getFirst().trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return FALLBACK_EPHEMERAL_START; // not Linux: IANA's range (49152-) starts higher still
        }
    }

    private static boolean isFree(int port) {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyFreePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
