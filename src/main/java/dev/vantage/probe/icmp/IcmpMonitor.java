package dev.vantage.probe.icmp;

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
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ICMP echo ("ping") probe: {@code count} echo requests {@code interval_ms} apart to the first address of the host,
 * replies matched by sequence number (and identifier on raw sockets), each round trip timed with
 * {@link System#nanoTime()} around {@code sendto} and {@code recvfrom}. Replies are awaited until the deadline; the
 * probe ends as soon as every request is answered.
 *
 * <p>Probes run on virtual threads and the native {@code poll} pins the carrier, so a wait is cut into slices of at
 * most {@value #POLL_SLICE_MS} ms with a {@link Thread#yield()} between them, and the gap between two requests, when
 * no reply is outstanding, is a {@link Thread#sleep}, which unmounts.
 *
 * <p>{@code response_time_ms} is the average round trip; the probe's own duration ({@code count × interval_ms}) is
 * not what a user asks of a ping. Phases: {@code dns_lookup_ms} when a name was resolved, the others NULL.
 */
public final class IcmpMonitor implements Monitor<IcmpSettings> {
    static final int POLL_SLICE_MS = 10;
    /** A raw IPv4 socket delivers the IP header, with options up to 60 bytes, before the echo message. */
    static final int IPV4_HEADER_MAX = 60;

    /** Ping sockets first: they need no privilege, so a process that has both uses the lesser. */
    static final List<IcmpSocket.Kind> DEFAULT_KINDS = List.of(IcmpSocket.Kind.DATAGRAM, IcmpSocket.Kind.RAW);

    private final List<IcmpSocket.Kind> kinds;
    /** Raw sockets carry this side's identifier: one per probe, so that concurrent probes of one host never mix. */
    private final AtomicInteger identifiers =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    /** The kind that last worked, per family (0 IPv4, 1 IPv6), tried first so that a refusal is not paid each time. */
    private final IcmpSocket.Kind[] working = new IcmpSocket.Kind[2];

    public IcmpMonitor() {
        this(DEFAULT_KINDS);
    }

    /** Only these kinds of socket, in this order: tests pin one to check what each does. */
    IcmpMonitor(List<IcmpSocket.Kind> kinds) {
        this.kinds = List.copyOf(kinds);
    }

    @Override
    public String type() {
        return "icmp";
    }

    @Override
    public java.util.Set<String> aliases() {
        return java.util.Set.of("ping");
    }

    @Override
    public IcmpSettings configure(MonitorSpec spec) throws InvalidMonitorException {
        return IcmpSettings.from(spec);
    }

    @Override
    public ProbeResult probe(IcmpSettings settings, ProbeContext context) {
        return ping(settings, context).result();
    }

    /**
     * The probe with its figures, which are also the result's {@code details}; {@code stats} is null when no request
     * could be sent.
     */
    public record Ping(ProbeResult result, PingStats stats) {}

    /** Like {@link #probe}, keeping the figures beside the result. Never throws. */
    public Ping ping(IcmpSettings settings, ProbeContext context) {
        Instant startedAt = Instant.now();
        try {
            return new Run(settings, context, startedAt).run();
        } catch (RuntimeException | LinkageError e) {
            return new Ping(ProbeResult.internal(startedAt, "icmp probe failed unexpectedly: " + e), null);
        }
    }

    private List<IcmpSocket.Kind> order(boolean ipv6) {
        IcmpSocket.Kind known = working[ipv6 ? 1 : 0];
        if (known == null || kinds.getFirst() == known) {
            return kinds;
        }
        var ordered = new java.util.ArrayList<IcmpSocket.Kind>(kinds);
        ordered.remove(known);
        ordered.addFirst(known);
        return ordered;
    }

    /** The sentence of an {@code INVALID_CONFIG} result when no socket could be opened: what to change, two ways. */
    static String unavailableMessage(String refusals) {
        return "icmp needs a ping socket or a raw socket, and this process may open neither (" + refusals
                + "; net.ipv4.ping_group_range is \"" + pingGroupRange()
                + "\"). Allow ping sockets for all groups: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"; or grant"
                + " CAP_NET_RAW: docker run --cap-add NET_RAW --user 0, or setcap cap_net_raw+ep on the java binary";
    }

    private static String pingGroupRange() {
        // Not Files.readString: it trusts the size a /proc file reports and stops after the first bytes.
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range"))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                    .trim()
                    .replaceAll("\\s+", " ");
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    private final class Run {
        private final IcmpSettings settings;
        private final ProbeContext context;
        private final Instant startedAt;
        private final long t0 = System.nanoTime();
        private final long deadline;
        private Double dnsMs;

        Run(IcmpSettings settings, ProbeContext context, Instant startedAt) {
            this.settings = settings;
            this.context = context;
            this.startedAt = startedAt;
            this.deadline = t0 + context.timeout().toNanos();
        }

        Ping run() {
            InetAddress address;
            try {
                address = resolve();
            } catch (InterruptedIOException e) {
                return failure(ErrorType.TIMEOUT, timeoutMessage("during DNS resolution"), null);
            } catch (UnknownHostException e) {
                return failure(ErrorType.DNS, NetFailures.dnsMessage(e, settings.host()), null);
            }
            boolean ipv6 = address instanceof Inet6Address;
            int identifier = identifiers.getAndIncrement() & 0xffff;
            int messageBytes = IPV4_HEADER_MAX + EchoPacket.HEADER_BYTES + settings.payloadBytes();
            try (IcmpSocket socket = IcmpSocket.open(ipv6, order(ipv6), identifier, messageBytes)) {
                working[ipv6 ? 1 : 0] = socket.kind();
                return exchange(socket, address, identifier);
            } catch (IcmpUnavailableException e) {
                return failure(ErrorType.INVALID_CONFIG, unavailableMessage(e.getMessage()), null);
            } catch (IOException e) {
                return failure(ErrorType.CONNECT, e.getMessage(), null);
            }
        }

        private InetAddress resolve() throws UnknownHostException, InterruptedIOException {
            if (Resolver.isIpLiteral(settings.host())) {
                return InetAddress.getByName(settings.host());
            }
            long start = System.nanoTime();
            List<InetAddress> found = Resolver.system().resolve(settings.host(), deadline);
            dnsMs = PhaseTimings.millis(System.nanoTime() - start);
            return found.getFirst();
        }

        private Ping exchange(IcmpSocket socket, InetAddress address, int identifier) throws IOException {
            boolean ipv6 = address instanceof Inet6Address;
            int count = settings.count();
            long intervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.intervalMs());
            long[] sentAt = new long[count];
            long[] rtt = new long[count];
            Arrays.fill(rtt, -1);
            byte[] buf = new byte[IPV4_HEADER_MAX + EchoPacket.HEADER_BYTES + settings.payloadBytes()];
            byte[] from = new byte[28];
            long[] receivedAt = new long[1];
            long wallOffset = wallOffsetNanos();
            int matchId = socket.ownsIdentifier() ? identifier : -1;
            long first = System.nanoTime();
            int sent = 0;
            int received = 0;
            while (received < count
                    && System.nanoTime() < deadline
                    && !Thread.currentThread().isInterrupted()) {
                long nextSend = sent < count ? first + sent * intervalNanos : Long.MAX_VALUE;
                if (System.nanoTime() >= nextSend) {
                    byte[] packet = EchoPacket.request(ipv6, identifier, sent, settings.payloadBytes());
                    sentAt[sent] = socket.send(packet, address);
                    sent++;
                    continue;
                }
                long until = Math.min(nextSend, deadline);
                if (received == sent) {
                    sleepUntil(until);
                    continue;
                }
                // Read first, poll only when nothing is waiting: on a fast path (loopback, a LAN) the reply is
                // queued by the time sendto returns.
                int n;
                boolean any = false;
                while ((n = socket.receive(buf, from, receivedAt)) >= 0) {
                    long readAt = System.nanoTime();
                    any = true;
                    int seq = EchoPacket.replySequence(buf, n, ipv6, socket.deliversIpHeader(), matchId);
                    if (seq >= 0 && seq < sent && rtt[seq] < 0 && IcmpSocket.sameAddress(from, address)) {
                        rtt[seq] = roundTrip(sentAt[seq], readAt, receivedAt[0], wallOffset);
                        received++;
                    }
                }
                if (any) {
                    continue;
                }
                long waitMs = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime() + 999_999);
                if (!socket.poll((int) Math.clamp(waitMs, 0, POLL_SLICE_MS))) {
                    Thread.yield();
                }
            }
            // Replies the kernel queued before the deadline count even when this thread reads them after it.
            int n;
            while (received < sent && (n = socket.receive(buf, from, receivedAt)) >= 0) {
                long readAt = System.nanoTime();
                int seq = EchoPacket.replySequence(buf, n, ipv6, socket.deliversIpHeader(), matchId);
                boolean inTime = receivedAt[0] != 0 && receivedAt[0] - wallOffset <= deadline;
                if (inTime && seq >= 0 && seq < sent && rtt[seq] < 0 && IcmpSocket.sameAddress(from, address)) {
                    rtt[seq] = roundTrip(sentAt[seq], readAt, receivedAt[0], wallOffset);
                    received++;
                }
            }
            double[] rttsMs = Arrays.stream(rtt)
                    .filter(r -> r >= 0)
                    .mapToDouble(PhaseTimings::millis)
                    .toArray();
            return judge(new PingStats(address.getHostAddress(), socket.kind().label, sent, rttsMs));
        }

        /**
         * The round trip in nanoseconds: until the kernel queued the reply when it said so, else until it was read. A
         * kernel time outside [send, read] means the wall clock was stepped meanwhile; the read time is used then.
         */
        private static long roundTrip(long sentAt, long readAt, long kernelWallNanos, long wallOffset) {
            if (kernelWallNanos == 0) {
                return readAt - sentAt;
            }
            long queuedAt = kernelWallNanos - wallOffset;
            return queuedAt >= sentAt && queuedAt <= readAt ? queuedAt - sentAt : readAt - sentAt;
        }

        /** Wall-clock nanoseconds minus {@link System#nanoTime()}: maps the kernel's receive times onto ours. */
        private static long wallOffsetNanos() {
            Instant now = Instant.now();
            long mono = System.nanoTime();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano() - mono;
        }

        private Ping judge(PingStats stats) {
            String target = stats.address();
            if (stats.received() == 0) {
                return failure(
                        ErrorType.TIMEOUT,
                        timeoutMessage("without an echo reply from " + target + " (" + stats.sent() + " sent)"),
                        stats);
            }
            if (stats.sent() < settings.count()) {
                return failure(
                        ErrorType.TIMEOUT,
                        timeoutMessage("having sent " + stats.sent() + " of " + settings.count() + " echo requests to "
                                + target),
                        stats);
            }
            Integer maxLoss = settings.maxLossPercent();
            if (maxLoss != null && stats.lossPercent() > maxLoss) {
                return failure(
                        ErrorType.TIMEOUT,
                        stats.received() + " of " + stats.sent() + " echo replies from " + target + " ("
                                + stats.lossPercent() + "% loss, more than max_loss_percent " + maxLoss + ")",
                        stats);
            }
            Double maxRtt = settings.maxRttMs();
            if (maxRtt != null && stats.avgMs() > maxRtt) {
                return failure(
                        ErrorType.TIMEOUT,
                        "average round trip to " + target + " " + stats.avgMs() + " ms, more than max_rtt_ms "
                                + java.math.BigDecimal.valueOf(maxRtt)
                                        .stripTrailingZeros()
                                        .toPlainString(),
                        stats);
            }
            return new Ping(result(null, null, stats), stats);
        }

        private void sleepUntil(long nanos) {
            long wait = nanos - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            try {
                Thread.sleep(java.time.Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private String timeoutMessage(String phase) {
            return "timed out after " + context.timeout().toMillis() + " ms " + phase;
        }

        private Ping failure(ErrorType type, String message, PingStats stats) {
            return new Ping(result(type, message, stats), stats);
        }

        /**
         * {@code total} (stored as {@code response_time_ms}) is the average round trip when a reply came, else the
         * time the probe waited.
         */
        private ProbeResult result(ErrorType type, String message, PingStats stats) {
            Double avg = stats == null ? null : stats.avgMs();
            double total = avg != null ? avg : PhaseTimings.millis(System.nanoTime() - t0);
            PhaseTimings timings = new PhaseTimings(dnsMs, null, null, null, null, null, total, null);
            var result = ProbeResult.at(startedAt).timings(timings);
            if (stats != null) {
                result.remoteAddress(stats.address()).details(stats.details());
            }
            return result.outcome(type, message);
        }
    }
}
