package dev.vantage.probe.tcp;

import dev.vantage.Causes;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.net.Dialer;
import dev.vantage.probe.net.NetFailures;
import dev.vantage.probe.net.TimedSocketFactory;
import dev.vantage.probe.net.Trace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * TCP probe: resolves, connects (trying each address in turn), optionally writes {@code send} and reads until
 * {@code expect} appears. Timed with the same {@link Trace} and sockets as HTTP; with send/expect the first byte read
 * back gives {@code serverProcessing} and {@code timeToFirstByte}, and {@code transfer} runs until the match.
 */
public final class TcpMonitor implements Monitor<TcpSettings> {
    /** Reading stops here: an expected banner is short. */
    static final int MAX_READ_BYTES = 64 * 1024;

    @Override
    public String type() {
        return "tcp";
    }

    /** The {@code body} column is the text to send, like {@code settings.send}. */
    @Override
    public Set<String> requestColumns() {
        return Set.of("body");
    }

    @Override
    public TcpSettings configure(MonitorSpec spec) throws InvalidMonitorException {
        return TcpSettings.from(spec);
    }

    @Override
    public ProbeResult probe(TcpSettings settings, ProbeContext context) {
        Instant startedAt = Instant.now();
        try {
            return new Run(settings, context, startedAt).run();
        } catch (RuntimeException e) {
            return ProbeResult.internal(startedAt, "tcp probe failed unexpectedly: " + e);
        }
    }

    private static final class Run {
        private final TcpSettings settings;
        private final ProbeContext context;
        private final Instant startedAt;
        private final long t0 = System.nanoTime();
        private final long deadline;
        private final Trace trace = new Trace();
        private long size;
        private long matched;

        Run(TcpSettings settings, ProbeContext context, Instant startedAt) {
            this.settings = settings;
            this.context = context;
            this.startedAt = startedAt;
            this.deadline = t0 + context.timeout().toNanos();
        }

        ProbeResult run() {
            List<InetAddress> addresses;
            try {
                addresses = resolve();
            } catch (InterruptedIOException e) {
                return failure(ErrorType.TIMEOUT, timeoutMessage("during DNS resolution"));
            } catch (UnknownHostException e) {
                return failure(ErrorType.DNS, NetFailures.dnsMessage(e, settings.host()));
            }
            try (Socket socket = connect(addresses)) {
                if (settings.send() == null && settings.expect() == null) {
                    return result(null, null);
                }
                if (settings.send() != null) {
                    ProbeResult failed = send(socket);
                    if (failed != null) {
                        return failed;
                    }
                }
                return settings.expect() == null ? result(null, null) : expect(socket);
            } catch (IOException e) {
                boolean timedOut =
                        System.nanoTime() >= deadline || Causes.find(e, InterruptedIOException.class) != null;
                if (timedOut) {
                    return failure(ErrorType.TIMEOUT, timeoutMessage(trace.phase()));
                }
                if (!trace.connectFinished()) {
                    return failure(ErrorType.CONNECT, NetFailures.connectMessage(e, trace.attemptedAddress()));
                }
                return failure(
                        ErrorType.CONNECT,
                        "connection to " + trace.remoteAddress() + " failed: " + Causes.rootMessage(e));
            }
        }

        /** Writes {@code send}; null when it went out, else the failure (a timeout when the peer did not read it). */
        private ProbeResult send(Socket socket) throws IOException {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(settings.send().getBytes(StandardCharsets.UTF_8));
                out.flush();
                return null;
            } catch (IOException e) {
                if (System.nanoTime() >= deadline || Causes.find(e, InterruptedIOException.class) != null) {
                    return failure(ErrorType.TIMEOUT, timeoutMessage("while sending"));
                }
                throw e;
            }
        }

        private List<InetAddress> resolve() throws UnknownHostException, InterruptedIOException {
            return Dialer.resolve(settings.host(), trace, deadline);
        }

        private Socket connect(List<InetAddress> addresses) throws IOException {
            return Dialer.connect(new TimedSocketFactory(trace, true, deadline), addresses, settings.port(), deadline);
        }

        private ProbeResult expect(Socket socket) throws IOException {
            byte[] needle = settings.expect().getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            while (seen.size() < MAX_READ_BYTES) {
                socket.setSoTimeout(remainingMillis());
                int n;
                try {
                    n = in.read(buf, 0, Math.min(buf.length, MAX_READ_BYTES - seen.size()));
                } catch (java.net.SocketTimeoutException e) {
                    return failure(
                            ErrorType.TIMEOUT,
                            trace.receivedAnyByte()
                                    ? timeoutMessage(
                                            "waiting for \"" + settings.expect() + "\" (received " + size + " bytes)")
                                    : timeoutMessage("waiting for the first byte"));
                }
                if (n < 0) {
                    return failure(
                            ErrorType.PROTOCOL,
                            "expected \"" + settings.expect() + "\" but the connection closed after " + size
                                    + " bytes");
                }
                seen.write(buf, 0, n);
                size += n;
                if (indexOf(seen.toByteArray(), needle) >= 0) {
                    matched = System.nanoTime();
                    return result(null, null);
                }
            }
            return failure(
                    ErrorType.PROTOCOL,
                    "expected \"" + settings.expect() + "\" not found in the first " + MAX_READ_BYTES + " bytes");
        }

        private int remainingMillis() throws InterruptedIOException {
            return Dialer.remainingMillis(deadline);
        }

        private String timeoutMessage(String phase) {
            return "timed out after " + context.timeout().toMillis() + " ms " + phase;
        }

        private ProbeResult failure(ErrorType type, String message) {
            return result(type, message);
        }

        private ProbeResult result(ErrorType type, String message) {
            long end = System.nanoTime();
            long first = trace.firstByteNanos();
            boolean reading = settings.expect() != null && trace.connectFinished();
            PhaseTimings timings = new PhaseTimings(
                    trace.dns(),
                    trace.connect(),
                    null,
                    trace.serverProcessing(),
                    PhaseTimings.between(first, matched),
                    first == 0 ? null : PhaseTimings.millis(first - t0),
                    PhaseTimings.millis(end - t0),
                    null);
            return ProbeResult.at(startedAt)
                    .timings(timings)
                    .responseSizeBytes(reading ? size : null)
                    .remoteAddress(trace.remoteAddress())
                    .outcome(type, message);
        }

        private static int indexOf(byte[] haystack, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= haystack.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
