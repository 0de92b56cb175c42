package dev.vantage.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback SMTP server for notifier tests: plain SMTP (no TLS), AUTH PLAIN, records every message it accepts, and
 * answers RCPT TO and the end of DATA with programmable replies. Binds 127.0.0.1 on an ephemeral port.
 */
public final class SmtpReceiver implements AutoCloseable {

    /** A message as accepted: envelope, the AUTH PLAIN identity if any, and the raw DATA (dot-unstuffed). */
    public record Mail(String from, List<String> to, String authUser, String authPassword, String data) {}

    private final ServerSocket server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Mail> mails = new CopyOnWriteArrayList<>();
    private volatile String rcptReply = "250 2.1.5 OK";
    private volatile String dataReply = "250 2.0.0 queued";

    private SmtpReceiver() throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        executor.submit(this::accept);
    }

    public static SmtpReceiver start() {
        try {
            return new SmtpReceiver();
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback SMTP receiver", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Mail> mails() {
        return List.copyOf(mails);
    }

    /** The reply to every RCPT TO from now on, e.g. {@code "550 5.1.1 no such user"}. */
    public void replyToRcpt(String reply) {
        rcptReply = reply;
    }

    /** The reply after the message data from now on, e.g. {@code "451 4.3.0 try later"}. */
    public void replyToData(String reply) {
        dataReply = reply;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                executor.submit(() -> session(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket) {
        try (socket;
                var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = socket.getOutputStream()) {
            reply(out, "220 localhost ESMTP test");
            String from = null;
            String user = null;
            String password = null;
            var to = new ArrayList<String>();
            for (String line; (line = in.readLine()) != null; ) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> reply(out, "250-localhost\r\n250-AUTH PLAIN\r\n250 8BITMIME");
                    case "HELO" -> reply(out, "250 localhost");
                    case "AUTH" -> {
                        String[] parts = line.split(" ");
                        String encoded = parts.length > 2 ? parts[2] : null;
                        if (encoded == null) {
                            reply(out, "334 ");
                            encoded = in.readLine();
                        }
                        String[] plain = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8)
                                .split("\u0000", -1);
                        user = plain[1];
                        password = plain[2];
                        reply(out, "235 2.7.0 accepted");
                    }
                    case "MAIL" -> {
                        from = address(line);
                        to.clear();
                        reply(out, "250 2.1.0 OK");
                    }
                    case "RCPT" -> {
                        String reply = rcptReply;
                        if (reply.startsWith("2")) {
                            to.add(address(line));
                        }
                        reply(out, reply);
                    }
                    case "DATA" -> {
                        reply(out, "354 end with <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        for (String d; (d = in.readLine()) != null && !d.equals("."); ) {
                            data.append(d.startsWith(".") ? d.substring(1) : d).append("\r\n");
                        }
                        String reply = dataReply;
                        if (reply.startsWith("2")) {
                            mails.add(new Mail(from, List.copyOf(to), user, password, data.toString()));
                        }
                        reply(out, reply);
                    }
                    case "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException | RuntimeException e) {
            // A client that goes away mid-session is not the receiver's problem.
        }
    }

    private static String address(String line) {
        int open = line.indexOf('<');
        int close = line.indexOf('>');
        return open >= 0 && close > open ? line.substring(open + 1, close) : line;
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        executor.shutdownNow();
    }
}
