package dev.vantage.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.vantage.config.ConfigurationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes the configuration as the YAML {@code vantage apply} reads: every object by name, sorted, each field left out
 * when it holds its default. Secret fields (monitor url with a password, headers, body, push_token, channel settings)
 * are written as {@code ${env:NAME}} references unless secrets are asked for; then literally, with {@code ${} escaped.
 */
final class YamlWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The YAML text, and the environment variables its references name (empty with secrets).
     *
     * @param omitted push tokens left out (a push monitor keeps its token when the file has none)
     */
    record Export(String yaml, List<String> variables, int omitted) {}

    private final Current current;
    private final boolean secrets;
    private final List<String> variables = new ArrayList<>();
    private int omitted;

    private YamlWriter(Current current, boolean secrets) {
        this.current = current;
        this.secrets = secrets;
    }

    /** @throws ConfigurationException when two rows of a kind share a name: the file could not tell them apart */
    static Export write(Current current, boolean secrets) {
        return new YamlWriter(current, secrets).write();
    }

    private Export write() {
        var names = new HashMap<Kind, Map<Integer, String>>();
        for (Kind kind : Kind.values()) {
            var byId = new HashMap<Integer, String>();
            var seen = new HashMap<String, Integer>();
            for (Current.Row row : current.rows(kind)) {
                Integer other = seen.putIfAbsent(row.name(), row.id());
                if (other != null) {
                    throw new ConfigurationException(kind.table() + " rows " + other + " and " + row.id()
                            + " are both named '" + row.name() + "': rename one (UPDATE " + kind.table()
                            + " SET name = ... WHERE id = " + row.id() + ") so that a file can name each");
                }
                byId.put(row.id(), row.name());
            }
            names.put(kind, byId);
        }
        var codes = new HashMap<Integer, String>();
        current.datacenters().forEach((code, id) -> codes.put(id, code));
        var top = new LinkedHashMap<String, Object>();
        for (Kind kind : Kind.values()) {
            var list = new ArrayList<Map<String, Object>>();
            current.rows(kind).stream()
                    .sorted(Comparator.comparing(Current.Row::name))
                    .forEach(row -> list.add(object(row, names, codes)));
            if (!list.isEmpty()) {
                top.put(kind.section(), list);
            }
        }
        var options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        options.setSplitLines(false);
        String yaml = "# Vantage configuration, written by vantage export. Apply with: vantage apply FILE\n"
                + (top.isEmpty() ? "{}\n" : new Yaml(options).dump(top));
        return new Export(yaml, List.copyOf(new TreeSet<>(variables)), omitted);
    }

    private Map<String, Object> object(
            Current.Row row, Map<Kind, Map<Integer, String>> names, Map<Integer, String> codes) {
        var o = new LinkedHashMap<String, Object>();
        o.put("name", row.name());
        for (Field f : row.kind().fields()) {
            Object v = row.values().get(f.name());
            if (f.keep()) {
                if (v != null && !secrets) {
                    omitted++;
                    continue;
                }
            } else if (Plan.same(v, f.absent())) {
                continue;
            }
            if (v == null) {
                if (!f.keep()) {
                    o.put(f.name(), null);
                }
                continue;
            }
            o.put(
                    f.name(),
                    switch (f.type()) {
                        case REF -> names.get(Kind.SCHEDULE).get(v);
                        case REFS -> {
                            var kind = Kind.referenced(f.name());
                            var shown = new TreeSet<String>();
                            for (Object id : (List<?>) v) {
                                shown.add(
                                        kind.isPresent() ? names.get(kind.get()).get(id) : codes.get(id));
                            }
                            yield new ArrayList<>(shown);
                        }
                        case SECONDS -> duration((Integer) v);
                        case JSON ->
                            JSON.convertValue(
                                    f.secret() ? secret(row, f.name(), (JsonNode) v) : (JsonNode) v, Object.class);
                        case TEXT -> f.secret() ? secretText(row, f.name(), (String) v) : v;
                        default -> v;
                    });
        }
        return o;
    }

    private String secretText(Current.Row row, String field, String value) {
        boolean credential = !field.equals("url") || value.matches("^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@.*");
        if (secrets || !credential) {
            return EnvRefs.escape(value);
        }
        return reference(row, field);
    }

    /** Every string in a secret JSON value becomes a reference (or, with secrets, is escaped). */
    private JsonNode secret(Current.Row row, String path, JsonNode v) {
        if (v.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            v.properties().forEach(e -> o.set(e.getKey(), secret(row, path + "_" + e.getKey(), e.getValue())));
            return o;
        }
        if (v.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < v.size(); i++) {
                a.add(secret(row, path + "_" + i, v.get(i)));
            }
            return a;
        }
        if (v.isTextual()) {
            return TextNode.valueOf(secrets ? EnvRefs.escape(v.asText()) : reference(row, path));
        }
        return v;
    }

    /** {@code ${env:VANTAGE_MONITOR_SHOP_HEADERS_AUTHORIZATION}}. */
    private String reference(Current.Row row, String path) {
        String name = ("VANTAGE_" + row.kind().word() + "_" + row.name() + "_" + path)
                .toUpperCase(Locale.ROOT)
                .replaceAll("[^A-Z0-9]+", "_")
                .replaceAll("_+$", "");
        variables.add(name);
        return EnvRefs.reference(name);
    }

    /** {@code 45s}, {@code 1m}, {@code 1h30m}, {@code 4h}: what the reader parses back to the same seconds. */
    static String duration(int seconds) {
        if (seconds == 0) {
            return "0s";
        }
        var s = new StringBuilder();
        if (seconds >= 3600) {
            s.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            s.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 != 0) {
            s.append(seconds % 60).append('s');
        }
        return s.toString();
    }
}
