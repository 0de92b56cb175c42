package dev.vantage.probe.tls;

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
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import okhttp3.internal.tls.OkHostnameVerifier;

/**
 * TLS certificate check: resolves, connects, does the handshake (with SNI) and nothing else, then reports the server's
 * certificate ({@link CertificateFacts}). Fails as {@code TLS} when verification is on and the chain is not trusted
 * (expired, not yet valid, unknown issuer) or does not name the server. A certificate that is merely close to expiry
 * is a success carrying {@code cert_expiry_warning}: the evaluator, not the probe, turns that into DEGRADED.
 *
 * <p>Timed like the other types: {@code dns}, {@code connect} and {@code tls}; there is no request, so server
 * processing, transfer and time to first byte are null.
 */
public final class TlsMonitor implements Monitor<TlsSettings> {
    private final X509TrustManager trusted;
    private final Supplier<ProbeTls> tls;

    public TlsMonitor() {
        this(TrustedCertificates.system());
    }

    /**
     * With other trusted certificates than the JDK's (a private CA, or a test's own), and the process's {@link
     * ProbeTls}, looked up at the first handshake (see {@code TlsContexts}).
     */
    public TlsMonitor(X509TrustManager trusted) {
        this.trusted = trusted;
        this.tls = ProbeTls::shared;
    }

    /** With other trusted certificates and a given TLS provider. */
    public TlsMonitor(X509TrustManager trusted, ProbeTls tls) {
        this.trusted = trusted;
        this.tls = () -> tls;
    }

    @Override
    public String type() {
        return "tls";
    }

    @Override
    public TlsSettings configure(MonitorSpec spec) throws InvalidMonitorException {
        return TlsSettings.from(spec);
    }

    @Override
    public ProbeResult probe(TlsSettings settings, ProbeContext context) {
        return check(settings, context).result();
    }

    /** A probe and the certificate it saw (null when the handshake never got the server's certificate). */
    public Outcome check(TlsSettings settings, ProbeContext context) {
        Instant startedAt = Instant.now();
        Run run = new Run(settings, context, startedAt);
        try {
            return new Outcome(run.run(), run.capture.facts());
        } catch (RuntimeException e) {
            return new Outcome(
                    ProbeResult.internal(startedAt, "tls probe failed unexpectedly: " + e), run.capture.facts());
        }
    }

    /** The result of one probe and the facts of the certificate it saw, or null. */
    public record Outcome(ProbeResult result, CertificateFacts certificate) {}

    private final class Run {
        private final TlsSettings settings;
        private final ProbeContext context;
        private final Instant startedAt;
        private final long t0 = System.nanoTime();
        private final long deadline;
        private final Trace trace = new Trace();
        private final CapturingTrustManager capture;

        Run(TlsSettings settings, ProbeContext context, Instant startedAt) {
            this.settings = settings;
            this.context = context;
            this.startedAt = startedAt;
            this.deadline = t0 + context.timeout().toNanos();
            this.capture = new CapturingTrustManager(trusted, settings.verifyTls());
        }

        ProbeResult run() {
            List<InetAddress> addresses;
            try {
                addresses = resolve();
            } catch (InterruptedIOException e) {
                return result(ErrorType.TIMEOUT, timeoutMessage("during DNS resolution"));
            } catch (UnknownHostException e) {
                return result(ErrorType.DNS, NetFailures.dnsMessage(e, settings.host()));
            }
            Socket plain;
            try {
                plain = connect(addresses);
            } catch (IOException e) {
                if (System.nanoTime() >= deadline || Causes.find(e, InterruptedIOException.class) != null) {
                    return result(ErrorType.TIMEOUT, timeoutMessage(trace.phase()));
                }
                return result(ErrorType.CONNECT, NetFailures.connectMessage(e, trace.attemptedAddress()));
            }
            try (Socket socket = plain;
                    SSLSocket tls = handshake(plain)) {
                if (settings.verifyTls()
                        && !OkHostnameVerifier.INSTANCE.verify(settings.expectedName(), tls.getSession())) {
                    return result(
                            ErrorType.TLS,
                            "TLS handshake failed: certificate is not valid for host name " + settings.expectedName());
                }
                return result(null, null);
            } catch (IOException e) {
                if (System.nanoTime() >= deadline
                        || Causes.find(e, SocketTimeoutException.class) != null
                        || Causes.find(e, InterruptedIOException.class) != null) {
                    return result(ErrorType.TIMEOUT, timeoutMessage(trace.phase()));
                }
                CertificateFacts facts = capture.facts();
                String reason =
                        facts != null && facts.chainError() != null ? facts.chainError() : Causes.rootMessage(e);
                return result(ErrorType.TLS, "TLS handshake failed: " + reason);
            }
        }

        private SSLSocket handshake(Socket plain) throws IOException {
            // ProbeTls: every check is a full handshake, no session is resumed.
            var factory = TlsMonitor.this.tls.get().factory(capture, trace);
            SSLSocket tls = (SSLSocket) factory.createSocket(plain, settings.expectedName(), settings.port(), true);
            var params = tls.getSSLParameters();
            params.setServerNames(settings.sni() == null ? List.of() : List.of(new SNIHostName(settings.sni())));
            tls.setSSLParameters(params);
            tls.setSoTimeout(remainingMillis());
            tls.startHandshake();
            return tls;
        }

        private List<InetAddress> resolve() throws UnknownHostException, InterruptedIOException {
            return Dialer.resolve(settings.host(), trace, deadline);
        }

        private Socket connect(List<InetAddress> addresses) throws IOException {
            return Dialer.connect(new TimedSocketFactory(trace, false, deadline), addresses, settings.port(), deadline);
        }

        private int remainingMillis() throws InterruptedIOException {
            return Dialer.remainingMillis(deadline);
        }

        private String timeoutMessage(String phase) {
            return "timed out after " + context.timeout().toMillis() + " ms " + phase;
        }

        private ProbeResult result(ErrorType type, String message) {
            long end = System.nanoTime();
            PhaseTimings timings = new PhaseTimings(
                    trace.dns(), trace.connect(), trace.tls(), null, null, null, PhaseTimings.millis(end - t0), null);
            CertificateFacts facts = capture.facts();
            return ProbeResult.at(startedAt)
                    .timings(timings)
                    .remoteAddress(trace.remoteAddress())
                    .details(facts == null ? Map.of() : facts.details(settings.certExpiryWarningDays()))
                    .outcome(type, message);
        }
    }
}
