package dev.vantage.probe.warm;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * The warm-up's targets: servers on 127.0.0.1, ephemeral ports, in this process, each answering at once (or, for
 * {@code /wait}, a few milliseconds later, so that a probe's read parks as it does against a real server). Nothing
 * here ever connects anywhere. Closing stops them all and closes their connections.
 *
 * <ul>
 *   <li>HTTP and HTTPS (self-signed, {@link SelfSignedTls}): {@code /fast} (5 bytes), {@code /wait} (the same after
 *       {@value #WAIT_MILLIS} ms) and {@code /big} ({@value #BIG_BYTES} bytes); one request per connection;
 *   <li>TCP: echoes each line it reads;
 *   <li>DNS over UDP: {@value #DNS_NAME} has one A record, 127.0.0.1; any other name is NXDOMAIN.
 * </ul>
 */
public final class LoopbackTargets implements AutoCloseable {
    static final String DNS_NAME = "warm-up.vantage.test.";
    static final int BIG_BYTES = 64 * 1024;
    static final int WAIT_MILLIS = 2;

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final byte[] FAST = response("fast\n".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] BIG = response(big());

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Socket> connections = java.util.Collections.synchronizedList(new ArrayList<>());
    private final int http;
    private final int https;
    private final int tcp;
    private final DatagramSocket dns;

    private LoopbackTargets() throws IOException {
        try {
            http = listen(new ServerSocket(), LoopbackTargets::serveHttp);
            https = listen(
                    SelfSignedTls.serverContext().getServerSocketFactory().createServerSocket(),
                    LoopbackTargets::serveHttp);
            tcp = listen(new ServerSocket(), LoopbackTargets::echo);
            dns = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            open.add(dns);
        } catch (IOException | RuntimeException e) {
            close(); // the ones that did start
            throw e;
        }
        Thread.ofVirtual().name("warm-up-dns").start(this::serveDns);
    }

    /** Starts every target; an {@link UncheckedIOException} when one cannot bind. */
    public static LoopbackTargets start() {
        try {
            return new LoopbackTargets();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the warm-up's loopback targets: " + e.getMessage(), e);
        }
    }

    public String httpUrl(String path) {
        return "http://127.0.0.1:" + http + path;
    }

    public String httpsUrl(String path) {
        return "https://127.0.0.1:" + https + path;
    }

    /** The HTTPS port, for the {@code tls} type. */
    public String tlsUrl() {
        return "tls://127.0.0.1:" + https;
    }

    public String tcpUrl() {
        return "tcp://127.0.0.1:" + tcp;
    }

    public String dnsUrl() {
        return "dns://127.0.0.1:" + dns.getLocalPort() + "/" + DNS_NAME.substring(0, DNS_NAME.length() - 1);
    }

    private int listen(ServerSocket server, Consumer<Socket> handler) throws IOException {
        open.add(server);
        server.bind(new InetSocketAddress(LOOPBACK, 0), 64);
        Thread.ofVirtual().name("warm-up-accept-" + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            handler.accept(s);
                        } catch (IOException | RuntimeException e) {
                            // the probe went away, or the warm-up is over
                        } finally {
                            connections.remove(s);
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        return server.getLocalPort();
    }

    private static void serveHttp(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = headLine(in);
            while (true) {
                String line = headLine(in);
                if (line == null || line.isEmpty()) {
                    break;
                }
            }
            String[] parts = requestLine == null ? new String[0] : requestLine.split(" ");
            String path = parts.length > 1 ? parts[1] : "/";
            if (path.equals("/wait")) {
                Thread.sleep(WAIT_MILLIS);
            }
            OutputStream out = socket.getOutputStream();
            out.write(path.equals("/big") ? BIG : FAST);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void echo(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (String line = headLine(in); line != null; line = headLine(in)) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serveDns() {
        byte[] buffer = new byte[512];
        while (!dns.isClosed()) {
            try {
                var packet = new DatagramPacket(buffer, buffer.length);
                dns.receive(packet);
                byte[] answer = answer(Arrays.copyOf(packet.getData(), packet.getLength()));
                dns.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (dns.isClosed()) {
                    return;
                }
                // a query it cannot parse gets no answer, as from a real server
            }
        }
    }

    private static byte[] answer(byte[] wire) throws IOException {
        Message query = new Message(wire);
        var question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        Name name = Name.fromString(DNS_NAME);
        if (!question.getName().equals(name)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == org.xbill.DNS.Type.A) {
            response.addRecord(new ARecord(name, DClass.IN, 60, LOOPBACK), Section.ANSWER);
        }
        return response.toWire();
    }

    /** One line without its CRLF, or null at the end of the stream. */
    private static String headLine(InputStream in) throws IOException {
        var line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            if (b != '\r') {
                line.append((char) b);
            }
            if (line.length() > 8192) {
                throw new IOException("line too long");
            }
        }
        return line.toString();
    }

    private static byte[] response(byte[] body) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] whole = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        return whole;
    }

    private static byte[] big() {
        byte[] body = new byte[BIG_BYTES];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            closeQuietly(c);
        }
        synchronized (connections) {
            for (Socket s : List.copyOf(connections)) {
                closeQuietly(s);
            }
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
