package dev.vantage.probe.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * Creates plain sockets that stamp a {@link Trace}: TCP connect start and end, and, when {@code stampStreams} is set
 * (plain HTTP or TCP), the last request write and the first response byte as they cross the socket. For
 * HTTPS the raw socket carries TLS records, so it stamps only the connect; {@link TimedSslSocketFactory} stamps the
 * decrypted application data instead. Every write on these sockets ends by the probe's deadline ({@link
 * WriteDeadline}).
 */
public final class TimedSocketFactory extends SocketFactory {
    private final Trace trace;
    private final boolean stampStreams;
    private final long deadlineNanos;

    /** @param deadlineNanos the probe's deadline on {@link System#nanoTime()}: no write outlives it */
    public TimedSocketFactory(Trace trace, boolean stampStreams, long deadlineNanos) {
        this.trace = trace;
        this.stampStreams = stampStreams;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public Socket createSocket() {
        return new TimedSocket(trace, stampStreams, deadlineNanos);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port));
    }

    private Socket connected(InetSocketAddress address) throws IOException {
        Socket s = createSocket();
        s.connect(address);
        return s;
    }

    static final class TimedSocket extends Socket {
        private final Trace trace;
        private final boolean stampStreams;
        private final long deadlineNanos;

        TimedSocket(Trace trace, boolean stampStreams, long deadlineNanos) {
            this.trace = trace;
            this.stampStreams = stampStreams;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            InetSocketAddress target = (InetSocketAddress) endpoint;
            // As curl does: without it, a small request written after the TLS Finished can wait for a delayed ACK.
            setTcpNoDelay(true);
            trace.connectStarted(target);
            super.connect(endpoint, timeout);
            trace.connected(target);
        }

        @Override
        public InputStream getInputStream() throws IOException {
            InputStream in = super.getInputStream();
            return stampStreams ? TimedStreams.in(in, trace) : in;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            OutputStream out = WriteDeadline.guard(super.getOutputStream(), this, deadlineNanos);
            return stampStreams ? TimedStreams.out(out, trace) : out;
        }
    }
}
