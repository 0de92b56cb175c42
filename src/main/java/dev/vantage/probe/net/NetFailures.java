package dev.vantage.probe.net;

import static dev.vantage.Causes.find;
import static dev.vantage.Causes.rootMessage;

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
}
