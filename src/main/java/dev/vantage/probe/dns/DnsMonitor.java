package dev.vantage.probe.dns;

import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.net.NetFailures;
import dev.vantage.probe.net.Resolver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;

/**
 * DNS probe: one query of one record type for one name, to a given server over UDP or TCP, or to the system's first
 * resolver, with dnsjava (the JDK resolver hides the server, caches, and cannot ask for other records). No cache, no
 * retry: one query, one answer, timed from the moment it is sent until the answer is read, as {@code dig} reports its
 * query time; that is the heartbeat's {@code response_time_ms}. Looking up the server's own name, when it is not an
 * IP literal, is the DNS phase. The other phases do not exist for this type and stay null.
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
            var resolver = new SimpleResolver(address);
            resolver.setTCP(settings.tcp());
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return result(ErrorType.TIMEOUT, timedOut("before the query was sent"), null);
            }
            resolver.setTimeout(Duration.ofNanos(remaining));
            long sent = System.nanoTime();
            Message response;
            try {
                response = resolver.sendAsync(query).toCompletableFuture().get(remaining, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return result(ErrorType.TIMEOUT, timedOut("waiting for the answer from " + server), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result(ErrorType.TIMEOUT, timedOut("waiting for the answer from " + server), null);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (NetFailures.find(cause, InterruptedIOException.class) != null || System.nanoTime() >= deadline) {
                    return result(ErrorType.TIMEOUT, timedOut("waiting for the answer from " + server), null);
                }
                if (NetFailures.find(cause, PortUnreachableException.class) != null
                        || NetFailures.find(cause, ConnectException.class) != null) {
                    return result(ErrorType.CONNECT, "connection refused by " + server, null);
                }
                String why = cause instanceof IOException ? NetFailures.rootMessage(cause) : String.valueOf(cause);
                return result(
                        ErrorType.CONNECT,
                        "no answer from " + server + " (" + details.get("transport") + "): " + why,
                        null);
            }
            double queryMs = PhaseTimings.millis(System.nanoTime() - sent);
            return check(response, queryMs);
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

        private ProbeResult check(Message response, double queryMs) {
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
                    new PhaseTimings(lookup, null, null, null, null, null, queryMs != null ? queryMs : total, null);
            return ProbeResult.at(startedAt)
                    .timings(timings)
                    .remoteAddress(queryMs != null ? server : null)
                    .details(details)
                    .outcome(type, message);
        }
    }
}
