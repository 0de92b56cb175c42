package dev.vantage.probe.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Layers TLS over a connected socket and returns a {@link TimedSslSocket}, which stamps the handshake and the
 * application data. OkHttp only uses the layering {@link #createSocket(Socket, String, int, boolean)}; the other
 * factory methods exist for completeness and wrap as well.
 */
public final class TimedSslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final Trace trace;
    private final Handshakes handshakes;

    /**
     * @param handshakes told of each handshake just before it starts (the probe's TLS registers whose certificate check
     *     it is), and again when it ended however it ended
     */
    public TimedSslSocketFactory(SSLSocketFactory delegate, Trace trace, Handshakes handshakes) {
        this.delegate = delegate;
        this.trace = trace;
        this.handshakes = handshakes;
    }

    /** Around each handshake of a socket this factory made. */
    @FunctionalInterface
    public interface Handshakes {
        /** Called just before the handshake of {@code socket} starts; the returned action runs when it ended. */
        Runnable starting(SSLSocket socket);
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return wrap(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return wrap(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return wrap(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return wrap(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return wrap(delegate.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    private Socket wrap(Socket s) {
        return new TimedSslSocket((SSLSocket) s, trace, handshakes);
    }
}
