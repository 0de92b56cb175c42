package dev.vantage.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A loopback target that misbehaves on purpose: a plain {@link ServerSocket} (or a TLS one) whose handler writes
 * whatever bytes a test wants, however long, or never reads at all. Each connection runs on a virtual thread; the
 * requests read with {@link #readRequest} are recorded so that a test can see what a probe sent to this target.
 */
final class HostileTarget implements AutoCloseable {

    /** What a connection does; it may read the request with {@link #readRequest} first. */
    @FunctionalInterface
    interface Handler {
        void handle(Socket socket, HostileTarget target) throws IOException, InterruptedException;
    }

    /** One request as read: method, target, header names lower-case, body as text. */
    record Request(String method, String target, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket server;
    private final String scheme;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private HostileTarget(ServerSocket server, String scheme, Handler handler) {
        this.server = server;
        this.scheme = scheme;
        executor.execute(() -> accept(handler));
    }

    /** A plain target on {@code address} (127.0.0.1, 127.0.0.2, …), on a free port. */
    static HostileTarget plain(String address, Handler handler) throws IOException {
        var server = new ServerSocket();
        server.setReceiveBufferSize(64 * 1024);
        server.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
        return new HostileTarget(server, "http", handler);
    }

    /** A TLS target on 127.0.0.1 with a self-signed certificate (probe it with {@code verify_tls: false}). */
    static HostileTarget tls(Handler handler) throws IOException {
        SSLContext context = dev.vantage.probe.warm.SelfSignedTls.serverContext();
        ServerSocket server = context.getServerSocketFactory().createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
        return new HostileTarget(server, "https", handler);
    }

    String url(String path) {
        String host = server.getInetAddress().getHostAddress();
        return scheme + "://" + host + ":" + server.getLocalPort() + path;
    }

    String tcpUrl() {
        return "tcp://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void accept(Handler handler) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(socket);
            executor.execute(() -> {
                try (socket) {
                    handler.handle(socket, this);
                } catch (IOException e) {
                    // the probe went away: that is what these targets are for
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** Reads one request head and its Content-Length body, records it and returns it. */
    Request readRequest(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the request head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        var request = new Request(requestLine[0], requestLine[1], headers, new String(body, StandardCharsets.UTF_8));
        requests.add(request);
        return request;
    }

    static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        executor.shutdownNow();
    }
}
