package dev.vantage.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where the database is: a JDBC URL plus credentials. Built from {@code DB_CONN_STRING} in either the libpq URL form
 * the old agent used ({@code postgres://user:pass@host:5432/db?sslmode=disable}) or a {@code jdbc:postgresql://} URL.
 * The password never appears in {@link #toString()} or in an error message.
 */
public record DbConnection(String jdbcUrl, String user, String password) {

    /** libpq query parameters that pgJDBC understands under the same name. */
    private static final Set<String> PASSED_THROUGH = Set.of(
            "sslmode",
            "sslrootcert",
            "sslcert",
            "sslkey",
            "connect_timeout",
            "application_name",
            "options",
            "target_session_attrs");

    public DbConnection {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigurationException("DB_CONN_STRING: not a PostgreSQL URL");
        }
    }

    public static DbConnection parse(String value) {
        String s = value == null ? "" : value.strip();
        if (s.startsWith("jdbc:postgresql:")) {
            return new DbConnection(s, null, null);
        }
        if (!(s.startsWith("postgres://") || s.startsWith("postgresql://"))) {
            throw new ConfigurationException("DB_CONN_STRING: expected postgres://user:pass@host:5432/db or"
                    + " jdbc:postgresql://host:5432/db, got a value starting with '" + scheme(s) + "'");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new ConfigurationException("DB_CONN_STRING: not a valid URL (" + e.getReason()
                    + "); percent-encode special characters in the password");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ConfigurationException("DB_CONN_STRING: no host in the URL");
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
        if (database.isEmpty()) {
            throw new ConfigurationException("DB_CONN_STRING: no database name after the host (…:5432/dbname)");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        var params = new LinkedHashMap<String, String>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String val = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (key) {
                    case "user" -> user = val;
                    case "password" -> password = val;
                    case "connect_timeout" -> params.put("connectTimeout", val);
                    case "application_name" -> params.put("ApplicationName", val);
                    default -> {
                        if (!PASSED_THROUGH.contains(key)) {
                            throw new ConfigurationException("DB_CONN_STRING: unsupported parameter '" + key
                                    + "' (supported: "
                                    + String.join(
                                            ", ",
                                            PASSED_THROUGH.stream().sorted().toList())
                                    + ")");
                        }
                        params.put(key, val);
                    }
                }
            }
        }
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        var url = new StringBuilder("jdbc:postgresql://")
                .append(hostPart)
                .append(':')
                .append(port)
                .append('/')
                .append(encodePath(database));
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            url.append(sep)
                    .append(e.getKey())
                    .append('=')
                    .append(java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return new DbConnection(url.toString(), user, password);
    }

    private static String scheme(String s) {
        int colon = s.indexOf(':');
        return colon < 0 ? (s.length() > 12 ? s.substring(0, 12) : s) : s.substring(0, colon + 1);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodePath(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "DbConnection[" + jdbcUrl.replaceAll("password=[^&]*", "password=***") + ", user=" + user + "]";
    }
}
