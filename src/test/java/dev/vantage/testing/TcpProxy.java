package dev.vantage.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loopback TCP proxy (127.0.0.1, ephemeral port) in front of one target port, that can stage a silent network
 * partition: {@link #freeze()} stops moving bytes in both directions without closing anything, so neither end sees a
 * FIN or an RST, only silence, until {@link #thaw()}. What a frozen proxy does, precisely:
 *
 * <ul>
 *   <li>bytes already read from one side are held, not written to the other; nothing more is read (so the sender's
 *       writes eventually block, as they would behind a dead link once the peer's window is full);
 *   <li>an end that closes or fails is not reported to the other end until the thaw;
 *   <li>a new connection is accepted (the kernel completes the handshake anyway) but the proxy does not connect it to
 *       the target until the thaw, so it carries no bytes.
 * </ul>
 *
 * <p>Two virtual threads per connection copy bytes; {@link #close()} closes every socket, which ends them.
 */
public final class TcpProxy implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition thawed = lock.newCondition();
    private boolean frozen;
    private volatile boolean closed;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(LOOPBACK, 0), 64);
        Thread.ofVirtual().name("tcp-proxy-accept-" + listener.getLocalPort()).start(this::acceptLoop);
    }

    /** Starts forwarding 127.0.0.1:{@link #port()} to 127.0.0.1:{@code targetPort}. */
    public static TcpProxy start(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a proxy to port " + targetPort, e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Stops every byte in both directions, keeping every connection open. */
    public void freeze() {
        lock.lock();
        try {
            frozen = true;
        } finally {
            lock.unlock();
        }
    }

    /** Lets the held bytes, closes and new connections through again. */
    public void thaw() {
        lock.lock();
        try {
            frozen = false;
            thawed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isFrozen() {
        lock.lock();
        try {
            return frozen;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks while frozen; false once the proxy is closed. */
    private boolean awaitFlowing() {
        lock.lock();
        try {
            while (frozen && !closed) {
                thawed.await();
            }
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(client);
            Thread.ofVirtual().name("tcp-proxy-connect-" + client.getPort()).start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        if (!awaitFlowing()) {
            closeQuietly(client);
            return;
        }
        var upstream = new Socket();
        sockets.add(upstream);
        try {
            upstream.connect(new InetSocketAddress(LOOPBACK, targetPort), CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            // The target is down: tell the client the way the network would, by ending its connection.
            closeQuietly(upstream);
            closeQuietly(client);
            return;
        }
        var pair = new Pair(client, upstream);
        Thread.ofVirtual().name("tcp-proxy-up-" + client.getPort()).start(() -> pump(pair, client, upstream));
        Thread.ofVirtual().name("tcp-proxy-down-" + client.getPort()).start(() -> pump(pair, upstream, client));
    }

    /** The two sockets of one proxied connection; closed once both directions have ended. */
    private final class Pair {
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger ended = new AtomicInteger();

        Pair(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void directionEnded() {
            if (ended.incrementAndGet() == 2) {
                close();
            }
        }

        void close() {
            closeQuietly(client);
            closeQuietly(upstream);
            sockets.remove(client);
            sockets.remove(upstream);
        }
    }

    /** Copies from one socket to the other, checking the gate before each read and again before each write. */
    private void pump(Pair pair, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (awaitFlowing()) {
                int n = in.read(buffer);
                if (!awaitFlowing()) {
                    return;
                }
                if (n < 0) {
                    to.shutdownOutput(); // pass the FIN on
                    pair.directionEnded();
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // A reset, or a write to an end that is gone: pass it on (once thawed) by ending the connection.
            if (awaitFlowing()) {
                pair.close();
            }
        }
    }

    /** Open sockets on both sides (client and target), for tests of the proxy. */
    int openSockets() {
        return (int) sockets.stream().filter(s -> !s.isClosed()).count();
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            thawed.signalAll();
        } finally {
            lock.unlock();
        }
        closeQuietly(listener);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
