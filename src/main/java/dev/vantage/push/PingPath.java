package dev.vantage.push;

import dev.vantage.heartbeat.BeatKind;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A ping's path and query, parsed: which token, and what the sender reports. The URL forms of Healthchecks, which cron
 * users paste: {@code /ping/<token>} (success), {@code /ping/<token>/start}, {@code /ping/<token>/fail}, {@code
 * /ping/<token>/log} and {@code /ping/<token>/<exit status 0-255>}, each with an optional trailing slash and an
 * optional {@code ?rid=<uuid>} pairing a start with its finish. A pure function; a reason never quotes the token.
 */
final class PingPath {
    static final String PREFIX = "/ping/";
    /** What the database's CHECK allows: anything else cannot be a token, and is not looked up. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{22,128}");

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern EXIT_STATUS = Pattern.compile("[0-9]{1,3}");

    static final String USAGE = "expected /ping/<token>, or /ping/<token>/ followed by start, fail, log or an exit"
            + " status from 0 to 255, and optionally ?rid=<uuid>";

    private PingPath() {}

    /** What a path says. */
    sealed interface Parsed permits Ping, Malformed, NotAToken {}

    /**
     * @param token the push token, a secret
     * @param kind what the sender reports
     * @param exitStatus the exit status of an {@code /<n>} ping, else null
     * @param rid the run id, else null
     */
    record Ping(String token, BeatKind kind, Integer exitStatus, UUID rid) implements Parsed {
        @Override
        public String toString() {
            return "Ping[token=***, kind=" + kind + ", exitStatus=" + exitStatus + ", rid=" + rid + "]";
        }
    }

    /** A 400: the shape is wrong, whatever the token. */
    record Malformed(String reason) implements Parsed {}

    /** A 404 without a lookup: no token can look like this. */
    record NotAToken() implements Parsed {}

    /**
     * @param rawPath the path as sent (not percent-decoded), starting with {@link #PREFIX}
     * @param rawQuery the query as sent, or null
     */
    static Parsed parse(String rawPath, String rawQuery) {
        if (rawPath == null || !rawPath.startsWith(PREFIX)) {
            return new Malformed(USAGE);
        }
        String rest = rawPath.substring(PREFIX.length());
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String[] parts = rest.split("/", -1);
        if (parts.length > 2) {
            return new Malformed(USAGE);
        }
        BeatKind kind = BeatKind.SUCCESS;
        Integer exitStatus = null;
        if (parts.length == 2) {
            String suffix = parts[1];
            if (EXIT_STATUS.matcher(suffix).matches()) {
                exitStatus = Integer.parseInt(suffix);
                if (exitStatus > 255) {
                    return new Malformed("an exit status is from 0 to 255");
                }
                kind = exitStatus == 0 ? BeatKind.SUCCESS : BeatKind.FAIL;
            } else {
                kind = switch (suffix.toLowerCase(Locale.ROOT)) {
                    case "start" -> BeatKind.START;
                    case "fail" -> BeatKind.FAIL;
                    case "log" -> BeatKind.LOG;
                    default -> null;
                };
                if (kind == null) {
                    return new Malformed(USAGE);
                }
            }
        }
        UUID rid;
        try {
            rid = rid(rawQuery);
        } catch (IllegalArgumentException e) {
            return new Malformed("rid must be a UUID such as 0f5bc9a2-5e0a-4c1f-9a83-5b4c1f0a2e7d");
        }
        if (!TOKEN.matcher(parts[0]).matches()) {
            return new NotAToken();
        }
        return new Ping(parts[0], kind, exitStatus, rid);
    }

    /** The first {@code rid} parameter of the query, null without one. */
    private static UUID rid(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String parameter : rawQuery.split("&")) {
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            if (name.equals("rid")) {
                String value = eq < 0 ? "" : parameter.substring(eq + 1);
                if (!UUID_TEXT.matcher(value).matches()) {
                    throw new IllegalArgumentException("not a UUID");
                }
                return UUID.fromString(value);
            }
        }
        return null;
    }
}
