package dev.vantage.probe.dns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.Endpoint;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.SettingsReader;
import dev.vantage.probe.UrlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A validated {@code dns} monitor row: {@code dns://server[:port]/name} asks {@code server} (port 53 by default);
 * {@code dns:///name} asks the system's first resolver.
 *
 * @param server host name or IP literal of the server, or null for the system's resolver
 * @param port the server's port
 * @param name the absolute name asked for
 * @param type the record type asked for ({@link Type} code)
 * @param tcp ask over TCP rather than UDP
 * @param expectedRcode the response code that passes ({@link Rcode} code)
 * @param expectAny at least one of these must be among the answers (empty: no check)
 * @param expectAll each of these must be among the answers (empty: no check)
 * @param expectRegex one answer must match this (find, not whole), or null
 */
public record DnsSettings(
        String server,
        int port,
        Name name,
        int type,
        boolean tcp,
        int expectedRcode,
        List<String> expectAny,
        List<String> expectAll,
        Pattern expectRegex) {

    public static final Set<String> KEYS =
            Set.of("record", "transport", "expected_rcode", "expect_any", "expect_all", "expect_regex");
    public static final List<String> RECORDS = List.of("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "CAA");
    public static final int DEFAULT_PORT = 53;

    public DnsSettings {
        expectAny = List.copyOf(expectAny);
        expectAll = List.copyOf(expectAll);
    }

    static DnsSettings from(MonitorSpec spec) throws InvalidMonitorException {
        String text = spec.url() == null ? null : spec.url().trim();
        String server;
        int port;
        String path;
        if (text != null && text.regionMatches(true, 0, "dns:///", 0, 7)) {
            server = null;
            port = DEFAULT_PORT;
            path = text.substring(6);
        } else {
            Endpoint endpoint = Endpoint.parse(text, List.of("dns"), DEFAULT_PORT);
            server = endpoint.host();
            port = endpoint.port();
            path = endpoint.path();
        }
        String nameText = path.startsWith("/") ? path.substring(1) : path;
        if (nameText.isEmpty()) {
            throw new InvalidMonitorException(
                    "url",
                    "names no record to ask for, like dns://192.0.2.1/example.org: '" + UrlText.quotable(text) + "'");
        }
        Name name;
        try {
            name = Name.fromString(nameText, Name.root);
        } catch (TextParseException e) {
            throw new InvalidMonitorException("url", "'" + nameText + "' is not a DNS name: " + e.getMessage());
        }
        SettingsReader s = SettingsReader.of(spec.settings(), KEYS);
        String record = s.string("record");
        record = record == null ? "A" : record.trim().toUpperCase(Locale.ROOT);
        if (!RECORDS.contains(record)) {
            throw new InvalidMonitorException(
                    "settings.record", "must be one of " + String.join(", ", RECORDS) + ", was '" + record + "'");
        }
        String transport = s.string("transport");
        transport = transport == null ? "udp" : transport.trim().toLowerCase(Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new InvalidMonitorException("settings.transport", "must be udp or tcp, was '" + transport + "'");
        }
        String rcodeText = s.string("expected_rcode");
        int rcode =
                rcodeText == null ? Rcode.NOERROR : Rcode.value(rcodeText.trim().toUpperCase(Locale.ROOT));
        if (rcode < 0) {
            throw new InvalidMonitorException(
                    "settings.expected_rcode",
                    "is not a DNS response code (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …): '" + rcodeText + "'");
        }
        String regex = s.string("expect_regex");
        Pattern pattern;
        try {
            pattern = regex == null ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidMonitorException(
                    "settings.expect_regex", "is not a regular expression: " + e.getDescription());
        }
        return new DnsSettings(
                server,
                port,
                name,
                Type.value(record),
                transport.equals("tcp"),
                rcode,
                strings(s, "expect_any"),
                strings(s, "expect_all"),
                pattern);
    }

    private static List<String> strings(SettingsReader s, String key) throws InvalidMonitorException {
        JsonNode node = s.node(key);
        if (node == null || node.isNull() || node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new InvalidMonitorException("settings." + key, "must be a non-empty list of answers as text");
        }
        var out = new ArrayList<String>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new InvalidMonitorException("settings." + key, "must be a non-empty list of answers as text");
            }
            out.add(item.asText().trim());
        }
        return out;
    }

    /** The record type's name, e.g. {@code MX}. */
    public String record() {
        return Type.string(type);
    }
}
