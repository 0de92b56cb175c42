package dev.vantage.demo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's HTTP/1.1 server side for one connection, written on raw sockets so that every byte leaves exactly when
 * the path says: each response goes out in one write, and {@code /slow} waits before the status line. Keep-alive
 * works as curl and OkHttp expect (requests are read with their Content-Length body; the connection stays open unless
 * the client sends {@code Connection: close} or the path ends it).
 */
final class DemoHttp {
    static final int BIG_BYTES = 1 << 20;
    /** How long {@code /slow} waits before its status line. */
    static final long SLOW_MILLIS = 200;

    private static final byte[] BIG = big();

    private DemoHttp() {}

    static void serve(Socket socket, DemoOutage outage) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = readLine(in);
                if (requestLine == null) {
                    return;
                }
                if (requestLine.isEmpty()) {
                    continue;
                }
                Map<String, String> headers = new HashMap<>();
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.put(
                                line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                line.substring(colon + 1).trim());
                    }
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(length);
                String[] parts = requestLine.split(" ");
                String method = parts[0];
                String path = parts.length > 1 ? parts[1] : "/";
                boolean keepAlive =
                        !"close".equalsIgnoreCase(headers.get("connection")) && !requestLine.endsWith("HTTP/1.0");
                if (!respond(method, path, headers, body, outage, in, out) || !keepAlive) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // A client that goes away mid-request is normal for a demo target.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the response; false when the connection must close afterwards. */
    private static boolean respond(
            String method,
            String path,
            Map<String, String> headers,
            byte[] body,
            DemoOutage outage,
            InputStream in,
            OutputStream out)
            throws IOException, InterruptedException {
        boolean head = method.equals("HEAD");
        switch (path) {
            case "/fast" -> send(out, 200, "OK", "text/plain", text("fast\n"), head);
            case "/health" ->
                send(
                        out,
                        200,
                        "OK",
                        "application/json",
                        text("{\"status\":\"ok\",\"version\":\"1.4.2\",\"checks\":{\"db\":{\"latency_ms\":3}}}\n"),
                        head);
            case "/slow" -> {
                waitPrecisely(SLOW_MILLIS);
                send(out, 200, "OK", "text/plain", text("slow\n"), head);
            }
            case "/big" -> send(out, 200, "OK", "application/octet-stream", BIG, head);
            case "/redirect" -> redirect(out, "/fast");
            case "/outage", "/outage/database", "/outage/dependent" -> {
                DemoOutage which = path.equals("/outage/dependent") ? outage.dependent() : outage;
                if (which.fails(headers.get("user-agent"), Instant.now())) {
                    send(out, 503, "Service Unavailable", "text/plain", text("outage\n"), head);
                } else {
                    send(out, 200, "OK", "text/plain", text("ok\n"), head);
                }
            }
            case "/truncated" -> {
                out.write(
                        text("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789"));
                out.flush();
                return false;
            }
            case "/stall-body" -> {
                out.write(
                        text("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789"));
                out.flush();
                in.transferTo(OutputStream.nullOutputStream()); // hold the body until the client gives up
                return false;
            }
            case "/malformed" -> {
                out.write(text("SPLAT nonsense\r\n\r\n"));
                out.flush();
                return false;
            }
            case "/echo-all" -> {
                // The whole request as the server saw it: method, headers (sorted, names lower-case), blank, body.
                var echoed = new StringBuilder(method).append('\n');
                new java.util.TreeMap<>(headers)
                        .forEach((k, v) ->
                                echoed.append(k).append(": ").append(v).append('\n'));
                echoed.append('\n');
                send(out, 200, "OK", "text/plain", concat(text(echoed.toString()), body), head);
            }
            case "/echo" -> {
                String echoed = method + "\n" + headers.getOrDefault("content-type", "-") + "\n";
                send(out, 200, "OK", "text/plain", concat(text(echoed), body), head);
            }
            default -> {
                if (path.startsWith("/status/") && path.length() == 11) {
                    int code = Integer.parseInt(path.substring(8));
                    send(out, code, "Demo", "text/plain", text("status " + code + "\n"), head);
                } else if (path.startsWith("/redirect/")) {
                    int hops = Integer.parseInt(path.substring(10));
                    redirect(out, hops <= 1 ? "/fast" : "/redirect/" + (hops - 1));
                } else {
                    send(out, 404, "Not Found", "text/plain", text("no such demo path\n"), head);
                }
            }
        }
        return true;
    }

    /**
     * Sleeps, then spins the last 10 ms: a virtual thread wakes up to a few milliseconds late on a busy machine, and
     * this target's delay is what timing tests compare against.
     */
    private static void waitPrecisely(long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        Thread.sleep(Math.max(0, millis - 10));
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static void redirect(OutputStream out, String location) throws IOException {
        out.write(text("HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n"));
        out.flush();
    }

    private static void send(OutputStream out, int code, String reason, String type, byte[] body, boolean head)
            throws IOException {
        byte[] header = text("HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.length + "\r\nServer: vantage-demo\r\n\r\n");
        out.write(head ? header : concat(header, body));
        out.flush();
    }

    /** One line without its CRLF, or null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > 16 * 1024) {
                throw new IOException("request line too long");
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] big() {
        byte[] body = new byte[BIG_BYTES];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }
}
