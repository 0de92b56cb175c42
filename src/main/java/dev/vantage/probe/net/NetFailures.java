package dev.vantage.probe.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** Failure sentences shared by the probes that resolve and connect (HTTP, TCP). */
public final class NetFailures {
    private NetFailures() {}

    public static String dnsMessage(UnknownHostException e, String host) {
        String detail = e.getMessage();
        if (detail == null || detail.isBlank() || detail.equals(host)) {
            return "could not resolve " + host;
        }
        return detail.startsWith(host) ? "could not resolve " + detail : "could not resolve " + host + ": " + detail;
    }

    public static String connectMessage(IOException e, String address) {
        String target = address == null ? "the server" : address;
        if (find(e, ConnectException.class) != null
                && String.valueOf(rootMessage(e))
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("refused")) {
            return "connection refused by " + target;
        }
        if (find(e, NoRouteToHostException.class) != null) {
            return "no route to " + target;
        }
        return "could not connect to " + target + ": " + rootMessage(e);
    }

    public static String rootMessage(Throwable e) {
        Throwable t = root(e);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** The innermost cause. */
    public static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    public static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            for (Throwable s : t.getSuppressed()) {
                if (type.isInstance(s)) {
                    return type.cast(s);
                }
            }
        }
        return null;
    }
}
