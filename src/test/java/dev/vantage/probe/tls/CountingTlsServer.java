package dev.vantage.probe.tls;

import dev.vantage.testing.TestCa;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A loopback TLS server (JSSE, with resumption on as servers have it by default) behind a TCP relay that reads the
 * first record each way: the client's ClientHello and the server's ServerHello. A handshake is resumed when the
 * ServerHello accepts a pre-shared key (TLS 1.3: its {@code pre_shared_key} extension) or echoes the client's
 * session id (TLS 1.2, session id or ticket). Answers one HTTP/1.1 request per connection with 200 "ok", or just
 * closes when the client sends nothing.
 */
public final class CountingTlsServer implements AutoCloseable {
    private static final int PRE_SHARED_KEY = 41;
    private static final int SUPPORTED_VERSIONS = 43;

    private final SSLServerSocket tls;
    private final ServerSocket front;
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger resumed = new AtomicInteger();
    private final AtomicInteger offeredKeys = new AtomicInteger();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param protocol {@code TLSv1.3} or {@code TLSv1.2}, the only one enabled
     * @param groups the named groups the server accepts, or null for the JDK's
     */
    public CountingTlsServer(TestCa ca, String protocol, String[] groups) {
        try {
            Instant now = Instant.now();
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    ca.keyManagers("localhost", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))),
                    null,
                    null);
            tls = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            tls.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            var params = tls.getSSLParameters();
            params.setProtocols(new String[] {protocol});
            if (groups != null) {
                params.setNamedGroups(groups);
            }
            tls.setSSLParameters(params);
            front = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
        threads.submit(() -> accept(tls, s -> serve((SSLSocket) s)));
        threads.submit(() -> accept(front, this::relay));
    }

    /** The port clients connect to (the relay's). */
    public int port() {
        return front.getLocalPort();
    }

    /** Handshakes whose ServerHello was seen. */
    public int handshakes() {
        return handshakes.get();
    }

    /** Handshakes the server resumed instead of doing a full one. */
    public int resumed() {
        return resumed.get();
    }

    /** ClientHellos that offered a TLS 1.3 pre-shared key (a session ticket to resume). */
    public int offeredKeys() {
        return offeredKeys.get();
    }

    private void accept(ServerSocket server, java.util.function.Consumer<Socket> handler) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.submit(() -> handler.accept(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket client) {
        try (client;
                Socket server = new Socket(InetAddress.getLoopbackAddress(), tls.getLocalPort())) {
            client.setSoTimeout(10_000);
            server.setSoTimeout(10_000);
            byte[] clientHello = forwardRecord(client.getInputStream(), server.getOutputStream());
            var downstream = threads.submit(() -> {
                byte[] serverHello = forwardRecord(server.getInputStream(), client.getOutputStream());
                count(Hello.parse(clientHello), Hello.parse(serverHello));
                server.getInputStream().transferTo(client.getOutputStream());
                client.shutdownOutput();
                return null;
            });
            client.getInputStream().transferTo(server.getOutputStream());
            server.shutdownOutput();
            downstream.get();
        } catch (Exception e) {
            // one side went away: a failed handshake or a probe that closed first
        }
    }

    private void count(Hello client, Hello server) {
        if (server.type() != 2) {
            return;
        }
        handshakes.incrementAndGet();
        if (client.extensions().contains(PRE_SHARED_KEY)) {
            offeredKeys.incrementAndGet();
        }
        boolean tls13 = server.extensions().contains(SUPPORTED_VERSIONS);
        boolean resumedNow = tls13
                ? server.extensions().contains(PRE_SHARED_KEY)
                : server.sessionId().length > 0 && Arrays.equals(server.sessionId(), client.sessionId());
        if (resumedNow) {
            resumed.incrementAndGet();
        }
    }

    /** Reads one TLS record from {@code in}, writes it to {@code out} and returns its body. */
    private static byte[] forwardRecord(InputStream in, OutputStream out) throws IOException {
        var data = new DataInputStream(in);
        byte[] header = new byte[5];
        data.readFully(header);
        byte[] body = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
        data.readFully(body);
        out.write(header);
        out.write(body);
        out.flush();
        return body;
    }

    /** The parts of a ClientHello or ServerHello (the first handshake message of a record) that tell resumption. */
    private record Hello(int type, byte[] sessionId, java.util.List<Integer> extensions) {
        static Hello parse(byte[] record) {
            ByteBuffer b = ByteBuffer.wrap(record);
            int type = b.get() & 0xff;
            b.position(4 + 2 + 32);
            byte[] id = new byte[b.get() & 0xff];
            b.get(id);
            if (type == 1) {
                b.position(b.position() + (b.getShort() & 0xffff)); // cipher suites
                b.position(b.position() + (b.get() & 0xff)); // compression methods
            } else {
                b.position(b.position() + 2 + 1); // cipher suite, compression method
            }
            var extensions = new java.util.ArrayList<Integer>();
            if (b.remaining() >= 2) {
                int end = b.position() + 2 + (b.getShort() & 0xffff);
                while (b.position() < end) {
                    extensions.add(b.getShort() & 0xffff);
                    b.position(b.position() + 2 + (b.getShort(b.position()) & 0xffff));
                }
            }
            return new Hello(type, id, extensions);
        }
    }

    private void serve(SSLSocket s) {
        try (s) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            InputStream in = s.getInputStream();
            StringBuilder request = new StringBuilder();
            int c;
            while (!request.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                request.append((char) c);
            }
            if (!request.isEmpty()) {
                s.getOutputStream()
                        .write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the client went away or failed its handshake
        }
    }

    @Override
    public void close() {
        try {
            front.close();
            tls.close();
        } catch (IOException e) {
            // closing
        }
        threads.shutdownNow();
    }
}
