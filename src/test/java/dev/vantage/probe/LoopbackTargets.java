package dev.vantage.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Loopback servers for the tests of monitor types, on ports the system picks, on 127.0.0.1 only. Each test class
 * starts its own and closes them (with everything it {@link #closeLater registered}) when it ends, so test classes
 * share nothing and may run in parallel. The generic targets every connection-based type needs are here; a type's
 * own protocol server (an HTTP handler, a DNS zone) is started by its test and registered.
 */
public final class LoopbackTargets implements AutoCloseable {
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();
    private ServerSocket blackhole;
    private Integer refused;

    /**
     * A port that accepts connections, reads nothing and never answers: a probe of it must give up at its deadline.
     */
    public synchronized int blackholePort() {
        if (blackhole == null) {
            blackhole = serve(held::add);
        }
        return blackhole.getLocalPort();
    }

    /** A port nothing listens on: it was bound and closed, so a connection is refused. */
    public synchronized int refusedPort() {
        if (refused == null) {
            try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
                refused = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return refused;
    }

    /**
     * A port whose connects hang until the caller's timeout: a listener that never accepts, with its accept queue
     * full, so Linux drops new SYNs. Fillers connect until one of them hangs (about 0.2 s).
     */
    public synchronized int stalledConnectPort() {
        try {
            ServerSocket server = closeLater(new ServerSocket());
            server.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            for (int i = 0; i < 64; i++) {
                Socket filler = new Socket();
                held.add(filler);
                try {
                    filler.connect(server.getLocalSocketAddress(), 200);
                } catch (java.net.SocketTimeoutException e) {
                    return server.getLocalPort();
                }
            }
            throw new IllegalStateException("the accept queue of port " + server.getLocalPort() + " never filled up");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP server whose every connection is given to {@code handler} on its own virtual thread; its port. */
    public int tcp(Consumer<Socket> handler) {
        return serve(handler).getLocalPort();
    }

    /** Closes {@code resource} with these targets. */
    public synchronized <T extends AutoCloseable> T closeLater(T resource) {
        open.add(resource);
        return resource;
    }

    private ServerSocket serve(Consumer<Socket> handler) {
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(LOOPBACK, 0), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
        closeLater(server);
        Thread.ofVirtual().name("loopback-accept-" + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> handler.accept(s));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        return server;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : open) {
            closeQuietly(c);
        }
        open.clear();
        for (Socket s; (s = held.poll()) != null; ) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
