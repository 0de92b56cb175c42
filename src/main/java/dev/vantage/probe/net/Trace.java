package dev.vantage.probe.net;

import dev.vantage.probe.PhaseTimings;
import java.net.InetSocketAddress;

/**
 * The {@link System#nanoTime()} stamps of one request on one fresh connection. The socket wrappers and the resolver
 * only stamp; durations are computed afterwards ({@link PhaseTimings#between}). A stamp of 0 means the moment never
 * came, which {@link PhaseTimings#between} turns into a null phase.
 *
 * <p>Written by the thread that runs the request and read by it afterwards; fields are volatile because a timeout
 * watchdog may close the socket from another thread.
 */
public final class Trace {
    volatile long dnsStart;
    volatile long dnsEnd;
    volatile long connectStart;
    volatile long connectEnd;
    volatile long tlsStart;
    volatile long tlsEnd;
    volatile long requestWritten;
    volatile long firstByte;
    volatile InetSocketAddress connectingTo;
    volatile InetSocketAddress connectedTo;

    public void dnsStarted() {
        dnsStart = System.nanoTime();
    }

    public void dnsDone() {
        dnsEnd = System.nanoTime();
    }

    /** The first of possibly several attempts (one per resolved address) starts the connect phase. */
    void connectStarted(InetSocketAddress target) {
        connectingTo = target;
        if (connectStart == 0) {
            connectStart = System.nanoTime();
        }
    }

    void connected(InetSocketAddress target) {
        connectEnd = System.nanoTime();
        connectedTo = target;
    }

    void tlsStarted() {
        tlsStart = System.nanoTime();
    }

    void tlsDone() {
        tlsEnd = System.nanoTime();
    }

    /**
     * The last request write starts. Stamped before the write, not after: the server may already have the bytes and
     * start its clock while this thread is still between the system call and the stamp. Like curl, whose
     * starttransfer minus pretransfer includes sending the request. Only writes before the first response byte count.
     */
    void writing() {
        if (firstByte == 0) {
            requestWritten = System.nanoTime();
        }
    }

    void read() {
        if (firstByte == 0) {
            firstByte = System.nanoTime();
        }
    }

    public Double dns() {
        return PhaseTimings.between(dnsStart, dnsEnd);
    }

    public Double connect() {
        return PhaseTimings.between(connectStart, connectEnd);
    }

    public Double tls() {
        return PhaseTimings.between(tlsStart, tlsEnd);
    }

    /** Request fully written until the first response byte. */
    public Double serverProcessing() {
        return PhaseTimings.between(requestWritten, firstByte);
    }

    public long firstByteNanos() {
        return firstByte;
    }

    /** The phase a request was in when it stopped, for timeout messages. */
    public String phase() {
        if (dnsStart != 0 && dnsEnd == 0) {
            return "during DNS resolution";
        }
        if (connectStart != 0 && connectEnd == 0) {
            return "during TCP connect";
        }
        if (tlsStart != 0 && tlsEnd == 0) {
            return "during TLS handshake";
        }
        if (connectEnd == 0) {
            return "before connecting";
        }
        if (requestWritten == 0) {
            return "while sending the request";
        }
        if (firstByte == 0) {
            return "waiting for the first byte";
        }
        return "while reading the response";
    }

    public boolean connectFinished() {
        return connectEnd != 0;
    }

    public boolean tlsStartedButUnfinished() {
        return tlsStart != 0 && tlsEnd == 0;
    }

    public boolean receivedAnyByte() {
        return firstByte != 0;
    }

    /** {@code ip:port} of the established connection, or null. */
    public String remoteAddress() {
        return format(connectedTo);
    }

    /** {@code ip:port} of the last connection attempt, established or not, or null. */
    public String attemptedAddress() {
        return format(connectingTo);
    }

    private static String format(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return null;
        }
        String ip = a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
