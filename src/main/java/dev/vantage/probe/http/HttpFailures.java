package dev.vantage.probe.http;

import static dev.vantage.Causes.find;
import static dev.vantage.Causes.rootMessage;

import dev.vantage.probe.ErrorType;
import dev.vantage.probe.TargetText;
import dev.vantage.probe.net.NetFailures;
import dev.vantage.probe.net.Trace;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Turns the exception that ended a request into an {@link ErrorType} and a sentence. The phase comes from the
 * {@link Trace} (which stamps were taken), not from parsing exception text, and messages are our own words: OkHttp's
 * and the JDK's messages can carry request details, never header values, but we do not depend on that.
 */
final class HttpFailures {
    private static final String STATUS_LINE = "Unexpected status line: ";

    private HttpFailures() {}

    record Failure(ErrorType type, String message) {}

    static Failure timeout(Duration timeout, String phase) {
        return new Failure(ErrorType.TIMEOUT, "timed out after " + timeout.toMillis() + " ms " + phase);
    }

    /** A request that failed before its response headers were read. */
    static Failure classify(IOException e, Trace trace, String host, boolean deadlinePassed, Duration timeout) {
        if (deadlinePassed || find(e, InterruptedIOException.class) != null) {
            return timeout(timeout, trace.phase());
        }
        UnknownHostException unknown = find(e, UnknownHostException.class);
        if (unknown != null) {
            return new Failure(ErrorType.DNS, NetFailures.dnsMessage(unknown, host));
        }
        if (trace.tlsStartedButUnfinished() || find(e, SSLException.class) != null) {
            return new Failure(ErrorType.TLS, "TLS handshake failed: " + tlsReason(e, host));
        }
        if (!trace.connectFinished()) {
            return new Failure(ErrorType.CONNECT, NetFailures.connectMessage(e, trace.attemptedAddress()));
        }
        ProtocolException protocol = find(e, ProtocolException.class);
        if (protocol != null) {
            return new Failure(ErrorType.PROTOCOL, protocolMessage(protocol));
        }
        SocketException socket = find(e, SocketException.class);
        if (socket != null && String.valueOf(socket.getMessage()).contains("reset")) {
            return new Failure(ErrorType.CONNECT, "connection reset by " + trace.remoteAddress());
        }
        if (!trace.receivedAnyByte()) {
            return new Failure(
                    ErrorType.PROTOCOL, "connection closed by " + trace.remoteAddress() + " before any response byte");
        }
        return new Failure(ErrorType.PROTOCOL, "invalid response: " + rootMessage(e));
    }

    private static String tlsReason(IOException e, String host) {
        if (find(e, SSLPeerUnverifiedException.class) != null) {
            return "certificate is not valid for host name " + host;
        }
        if (find(e, CertificateExpiredException.class) != null) {
            return "certificate expired (" + rootMessage(e) + ")";
        }
        if (find(e, CertificateNotYetValidException.class) != null) {
            return "certificate not yet valid (" + rootMessage(e) + ")";
        }
        if (find(e, CertPathBuilderException.class) != null || find(e, CertPathValidatorException.class) != null) {
            return "certificate not trusted (" + rootMessage(e) + ")";
        }
        return rootMessage(e);
    }

    private static String protocolMessage(ProtocolException e) {
        String m = String.valueOf(e.getMessage());
        if (m.startsWith(STATUS_LINE)) {
            return "malformed status line \"" + TargetText.quoted(m.substring(STATUS_LINE.length())) + "\"";
        }
        return "malformed response: " + TargetText.quoted(m);
    }
}
