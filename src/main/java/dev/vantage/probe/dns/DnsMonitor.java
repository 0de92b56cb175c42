package dev.vantage.probe.dns;

import dev.vantage.Causes;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.TargetText;
import dev.vantage.probe.net.NetFailures;
import dev.vantage.probe.net.Resolver;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.WireParseException;

/**
 * DNS probe: one query of one record type for one name, to a given server over UDP or TCP, or to the system's first
 * resolver. dnsjava builds and parses the messages (the JDK resolver hides the server, caches, and cannot ask for
 * other records); the query goes over the JDK's own blocking sockets, stamped just before the send and just after the
 * answer arrives, so the query time compares with {@code dig}'s and no selector thread hand-off is counted. No cache,
 * no retry; a UDP answer cut short (TC) is asked again over TCP, as resolvers do. The query time is the heartbeat's
 * {@code response_time_ms}; looking up the server's own name, when it is not an IP literal, is the DNS phase, and
 * over TCP the connect is the connect phase. The other phases do not exist for this type and stay null.
 *
 * <p>{@code details}: {@code server} (ip:port asked), {@code transport}, {@code record}, {@code rcode}, {@code
 * answers} (the answer section's data as text, at most {@value #MAX_ANSWERS}), {@code authoritative}, {@code
 * query_ms}; on a timeout or no answer only the first three.
 */
public final class DnsMonitor implements Monitor<DnsSettings> {
    /** Answers kept in details; a larger answer set is cut and counted. */
    static final int MAX_ANSWERS = 32;

    @Override
    public String type() {
        return "dns";
    }

    @Override
    public DnsSettings configure(MonitorSpec spec) throws InvalidMonitorException {
        return DnsSettings.from(spec);
    }

    @Override
    public ProbeResult probe(DnsSettings settings, ProbeContext context) {
        Instant startedAt = Instant.now();
        try {
            return new Run(settings, context.timeout(), startedAt).run();
        } catch (RuntimeException e) {
            return ProbeResult.internal(startedAt, "dns probe failed unexpectedly: " + e);
        }
    }

    private static final class Run {
        private final DnsSettings settings;
        private final Duration timeout;
        private final Instant startedAt;
        private final long t0 = System.nanoTime();
        private final long deadline;
        private final Map<String, Object> details = new LinkedHashMap<>();
        private Double lookup;
        private Double connect;
        private long sent;
        private Double queryMs;
        private String server;

        Run(DnsSettings settings, Duration timeout, Instant startedAt) {
            this.settings = settings;
            this.timeout = timeout;
            this.startedAt = startedAt;
            this.deadline = t0 + timeout.toNanos();
        }

        ProbeResult run() {
            InetSocketAddress address;
            try {
                address = address();
            } catch (InterruptedIOException e) {
                return result(ErrorType.TIMEOUT, timedOut("resolving the server " + settings.server()), null);
            } catch (UnknownHostException e) {
                return result(ErrorType.DNS, NetFailures.dnsMessage(e, settings.server()), null);
            }
            server = (address.getAddress().getHostAddress().indexOf(':') >= 0
                            ? "[" + address.getAddress().getHostAddress() + "]"
                            : address.getAddress().getHostAddress())
                    + ":" + address.getPort();
            details.put("server", server);
            details.put("transport", settings.tcp() ? "tcp" : "udp");
            details.put("record", settings.record());
            Message query = Message.newQuery(Record.newRecord(settings.name(), settings.type(), DClass.IN));
            byte[] wire = query.toWire();
            Message response;
            try {
                response = settings.tcp()
                        ? overTcp(address, wire)
                        : overUdp(address, wire, query.getHeader().getID());
                if (!settings.tcp() && response.getHeader().getFlag(Flags.TC)) {
                    details.put("transport", "udp, truncated, then tcp");
                    response = overTcp(address, wire);
                }
            } catch (SocketTimeoutException e) {
                return result(ErrorType.TIMEOUT, timedOut("waiting for the answer from " + server), null);
            } catch (InterruptedIOException e) {
                return result(ErrorType.TIMEOUT, timedOut("waiting for the answer from " + server), null);
            } catch (PortUnreachableException | ConnectException e) {
                return result(ErrorType.CONNECT, "connection refused by " + server, null);
            } catch (WireParseException e) {
                return result(
                        ErrorType.PROTOCOL,
                        "malformed answer from " + server + ": " + TargetText.quoted(e.getMessage()),
                        null);
            } catch (IOException e) {
                if (System.nanoTime() >= deadline) {
                    return result(ErrorType.TIMEOUT, timedOut("waiting for the answer from " + server), null);
                }
                return result(
                        ErrorType.CONNECT,
                        "no answer from " + server + " (" + details.get("transport") + "): " + Causes.rootMessage(e),
                        null);
            }
            return check(response, queryMs);
        }

        /**
         * One datagram out, then reads until the answer with the query's id arrives (a stray or late datagram is
         * skipped) or the deadline passes. Stamped on the socket: just before the send, just after the receive.
         */
        private Message overUdp(InetSocketAddress address, byte[] wire, int id) throws IOException {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.connect(address);
                byte[] buffer = new byte[65_535];
                sent = System.nanoTime();
                socket.send(new DatagramPacket(wire, wire.length));
                while (true) {
                    socket.setSoTimeout(remainingMillis());
                    var packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    long answered = System.nanoTime();
                    if (packet.getLength() >= 2 && (((buffer[0] & 0xff) << 8) | (buffer[1] & 0xff)) == id) {
                        queryMs = PhaseTimings.millis(answered - sent);
                        return new Message(Arrays.copyOf(buffer, packet.getLength()));
                    }
                }
            }
        }

        /** Connects, writes the length-prefixed query, reads the length-prefixed answer (RFC 1035 4.2.2). */
        private Message overTcp(InetSocketAddress address, byte[] wire) throws IOException {
            try (Socket socket = new Socket()) {
                long connecting = System.nanoTime();
                socket.connect(address, remainingMillis());
                connect = PhaseTimings.millis(System.nanoTime() - connecting);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(remainingMillis());
                var out = new DataOutputStream(socket.getOutputStream());
                var in = new DataInputStream(socket.getInputStream());
                byte[] framed = new byte[wire.length + 2];
                framed[0] = (byte) (wire.length >>> 8);
                framed[1] = (byte) wire.length;
                System.arraycopy(wire, 0, framed, 2, wire.length);
                sent = System.nanoTime();
                out.write(framed);
                out.flush();
                int length = in.readUnsignedShort();
                byte[] answer = new byte[length];
                in.readFully(answer);
                queryMs = PhaseTimings.millis(System.nanoTime() - sent);
                return new Message(answer);
            }
        }

        /** What is left of the deadline as a socket timeout: at least 1 ms, since 0 would mean forever. */
        private int remainingMillis() throws SocketTimeoutException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        }

        private InetSocketAddress address() throws UnknownHostException, InterruptedIOException {
            if (settings.server() == null) {
                InetSocketAddress system = ResolverConfig.getCurrentConfig().server();
                if (system == null) {
                    throw new UnknownHostException("the system has no DNS resolver configured");
                }
                return system;
            }
            boolean literal = Resolver.isIpLiteral(settings.server());
            List<InetAddress> addresses = Resolver.system().resolve(settings.server(), deadline);
            if (!literal) {
                lookup = PhaseTimings.millis(System.nanoTime() - t0);
            }
            return new InetSocketAddress(addresses.getFirst(), settings.port());
        }

        private ProbeResult check(Message response, Double queryMs) {
            int rcode = response.getRcode();
            List<String> answers = new ArrayList<>();
            for (Record r : response.getSection(Section.ANSWER)) {
                answers.add(text(r));
            }
            details.put("rcode", Rcode.string(rcode));
            details.put("answers", answers.size() <= MAX_ANSWERS ? answers : answers.subList(0, MAX_ANSWERS));
            if (answers.size() > MAX_ANSWERS) {
                details.put("answers_cut", answers.size());
            }
            details.put("authoritative", response.getHeader().getFlag(Flags.AA));
            details.put("query_ms", queryMs);
            if (rcode != settings.expectedRcode()) {
                return result(
                        ErrorType.DNS,
                        "rcode " + Rcode.string(rcode) + ", expected " + Rcode.string(settings.expectedRcode()),
                        queryMs);
            }
            String failed = DnsExpectations.check(settings, answers);
            return result(failed == null ? null : ErrorType.DNS, failed, queryMs);
        }

        /** The record's data as people write it: TXT strings joined without quotes, names without the final dot. */
        private static String text(Record r) {
            if (r instanceof TXTRecord txt) {
                return String.join("", txt.getStrings());
            }
            String s = r.rdataToString();
            return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        }

        private String timedOut(String phase) {
            return "timed out after " + timeout.toMillis() + " ms " + phase;
        }

        private ProbeResult result(ErrorType type, String message, Double queryMs) {
            double total = PhaseTimings.millis(System.nanoTime() - t0);
            var timings =
                    new PhaseTimings(lookup, connect, null, null, null, null, queryMs != null ? queryMs : total, null);
            return ProbeResult.at(startedAt)
                    .timings(timings)
                    .remoteAddress(queryMs != null ? server : null)
                    .details(details)
                    .outcome(type, message);
        }
    }
}
