package dev.vantage.demo;

import dev.vantage.probe.warm.SelfSignedTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Loopback targets with known behaviour, for {@code vantage demo}, the benchmark and the tests. Everything listens on
 * 127.0.0.1 on ephemeral ports, so several instances run side by side. Raw {@link ServerSocket}s on virtual threads
 * write each response in one go, so byte timings are what the path promises.
 *
 * <ul>
 *   <li>HTTP and HTTPS (self-signed, see {@link SelfSignedTls}) serve the same paths: {@code /fast}, {@code /slow}
 *       (waits 200 ms before the status line), {@code /big} (1 MiB with Content-Length), {@code /status/NNN},
 *       {@code /redirect} (302 to /fast), {@code /redirect/N} (N hops), {@code /truncated} (Content-Length 1000, 10
 *       bytes, close), {@code /stall-body} (10 of 1000 bytes, then silence), {@code /malformed} (garbage status
 *       line), {@code /echo} (method, content type and request body), {@code /outage} (the demo's scripted incident,
 *       see {@link DemoOutage}: 503 for probes from VA and NY from 10 s to 40 s after its first request, else 200);
 *   <li>a refused port: bound to learn a free port number, then closed; nothing listens there afterwards (another
 *       process could in theory take it, which ephemeral ports make unlikely for a demo's lifetime);
 *   <li>a blackhole port that accepts connections and never reads or writes;
 *   <li>a stalled-connect port whose accept queue is kept full, so that connects hang (the kernel drops the SYN);
 *   <li>a TCP banner port: writes {@code VANTAGE-DEMO ready}, then echoes each line, and answers {@code quit} with
 *       {@code bye} and a close.
 * </ul>
 */
public final class DemoTargets implements AutoCloseable {
    public static final String BANNER = "VANTAGE-DEMO ready";
    /** The validity left of the certificate of {@link #expiringTlsUrl()}: inside the default 14-day warning. */
    public static final Duration EXPIRING_IN = Duration.ofDays(5).plusHours(12);

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<ServerSocket> listeners = new ArrayList<>();
    private final ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();
    private final DemoOutage outage = DemoOutage.standard();
    private final ServerSocket http;
    private final ServerSocket https;
    private final ServerSocket expiringTls;
    private final ServerSocket blackhole;
    private final ServerSocket tcp;
    private final int refusedPort;
    private final DemoDns dns;
    private ServerSocket stalled;

    private DemoTargets() throws IOException {
        http = listen(new ServerSocket(), s -> DemoHttp.serve(s, outage));
        https = listen(
                SelfSignedTls.serverContext().getServerSocketFactory().createServerSocket(),
                s -> DemoHttp.serve(s, outage));
        expiringTls = listen(
                SelfSignedTls.serverContext(EXPIRING_IN)
                        .getServerSocketFactory()
                        .createServerSocket(),
                s -> DemoHttp.serve(s, outage));
        blackhole = listen(new ServerSocket(), held::add);
        tcp = listen(new ServerSocket(), DemoTargets::banner);
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            refusedPort = probe.getLocalPort();
        }
        dns = new DemoDns(LOOPBACK);
    }

    /** Starts every target; close to stop them. */
    public static DemoTargets start() {
        try {
            return new DemoTargets();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the demo targets", e);
        }
    }

    private ServerSocket listen(ServerSocket server, Consumer<Socket> handler) throws IOException {
        server.bind(new InetSocketAddress(LOOPBACK, 0), 128);
        listeners.add(server);
        Thread.ofVirtual().name("demo-accept-" + server.getLocalPort()).start(() -> {
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

    private static void banner(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write((BANNER + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                boolean quit = line.trim().equals("quit");
                out.write(((quit ? "bye" : line) + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (quit) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    public String httpUrl(String path) {
        return "http://127.0.0.1:" + http.getLocalPort() + path;
    }

    public String httpsUrl(String path) {
        return "https://127.0.0.1:" + https.getLocalPort() + path;
    }

    public String refusedUrl() {
        return "http://127.0.0.1:" + refusedPort + "/";
    }

    /** Plain HTTP to the blackhole: times out waiting for the first byte (with https: during the TLS handshake). */
    public String blackholeUrl() {
        return "http://127.0.0.1:" + blackhole.getLocalPort() + "/";
    }

    /** Connects to this port hang until the caller's timeout. The queue is filled on first use (about 0.2 s). */
    public synchronized String stalledConnectUrl() {
        if (stalled == null) {
            stalled = fillAcceptQueue();
        }
        return "http://127.0.0.1:" + stalled.getLocalPort() + "/";
    }

    /** A TLS server (the same HTTPS paths) whose self-signed certificate expires in 5 days. */
    public String expiringTlsUrl() {
        return "tls://127.0.0.1:" + expiringTls.getLocalPort();
    }

    public String tcpUrl() {
        return "tcp://127.0.0.1:" + tcp.getLocalPort();
    }

    /** The demo's DNS server, asked for its one name ({@code dns://127.0.0.1:port/demo.vantage.test}). */
    public String dnsUrl() {
        return "dns://127.0.0.1:" + dns.port() + "/" + DemoDns.NAME.substring(0, DemoDns.NAME.length() - 1);
    }

    /** Never resolves and never leaves the machine: .invalid is reserved (RFC 6761). */
    public String unresolvableUrl() {
        return "http://vantage-demo.invalid/";
    }

    /** Every target by name, in a stable order, for printing. */
    public Map<String, String> urls() {
        Map<String, String> urls = new LinkedHashMap<>();
        for (String path :
                List.of("/fast", "/slow", "/big", "/status/503", "/redirect", "/truncated", "/malformed", "/outage")) {
            urls.put("http" + path, httpUrl(path));
            urls.put("https" + path, httpsUrl(path));
        }
        urls.put("refused", refusedUrl());
        urls.put("blackhole", blackholeUrl());
        urls.put("unresolvable", unresolvableUrl());
        urls.put("tcp", tcpUrl());
        urls.put("dns", dnsUrl());
        urls.put("tls/expiring", expiringTlsUrl());
        urls.put("http/health", httpUrl("/health"));
        return urls;
    }

    /**
     * A listener that never accepts, with its accept queue full: Linux then drops new SYNs, so a connect neither
     * succeeds nor is refused. Fillers connect until one of them hangs.
     */
    private ServerSocket fillAcceptQueue() {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            listeners.add(server);
            for (int i = 0; i < 64; i++) {
                Socket filler = new Socket();
                held.add(filler);
                try {
                    filler.connect(server.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException e) {
                    return server;
                }
            }
            throw new IllegalStateException("the accept queue of port " + server.getLocalPort() + " never filled up");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        dns.close();
        for (ServerSocket s : listeners) {
            closeQuietly(s);
        }
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

    /** Starts the targets, prints {@code name url} lines, and runs until killed. */
    public static void main(String[] args) throws InterruptedException {
        DemoTargets targets = start();
        Runtime.getRuntime().addShutdownHook(new Thread(targets::close));
        targets.urls().forEach((name, url) -> System.out.println(name + " " + url));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
