package dev.vantage.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A compose file as Docker Compose reads it before interpolation: anchors, aliases and {@code <<} merge keys resolved
 * (SnakeYAML does that), the short and long forms of lists and maps normalised.
 */
record ComposeFile(Path path, Map<String, Object> root) {

    static ComposeFile read(Path path) throws IOException {
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            return new ComposeFile(path, root);
        }
    }

    Map<String, Map<String, Object>> services() {
        var services = new LinkedHashMap<String, Map<String, Object>>();
        map(root, "services").forEach((name, service) -> services.put(name, asMap(service)));
        return services;
    }

    /** Top-level {@code secrets}, {@code volumes}, … */
    Map<String, Object> section(String name) {
        return map(root, name);
    }

    /** {@code command} as a list of words (the exec form; a string is split on spaces as Compose does for plain words). */
    static List<String> command(Map<String, Object> service) {
        Object command = service.get("command");
        if (command == null) {
            return List.of();
        }
        if (command instanceof List<?> words) {
            return words.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(command).trim().split("\\s+"));
    }

    /** {@code environment} as a map, from either the map or the {@code NAME=value} list form. */
    static Map<String, String> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        var result = new LinkedHashMap<String, String>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> result.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object entry : list) {
                String[] kv = String.valueOf(entry).split("=", 2);
                result.put(kv[0], kv.length > 1 ? kv[1] : null);
            }
        }
        return result;
    }

    /** Names of the secrets a service mounts, from the short ({@code - name}) or long ({@code source:}) form. */
    static List<String> secrets(Map<String, Object> service) {
        var names = new ArrayList<String>();
        for (Object s : list(service, "secrets")) {
            names.add(s instanceof Map<?, ?> m ? String.valueOf(m.get("source")) : String.valueOf(s));
        }
        return names;
    }

    /** {@code depends_on} as service to condition ({@code service_started} for the list form). */
    static Map<String, String> dependsOn(Map<String, Object> service) {
        Object deps = service.get("depends_on");
        var result = new LinkedHashMap<String, String>();
        if (deps instanceof List<?> list) {
            list.forEach(d -> result.put(String.valueOf(d), "service_started"));
        } else if (deps instanceof Map<?, ?> m) {
            m.forEach((k, v) -> result.put(
                    String.valueOf(k), String.valueOf(asMap(v).getOrDefault("condition", "service_started"))));
        }
        return result;
    }

    /** Named volumes mounted: volume name to the path in the container. */
    static Map<String, String> namedVolumes(Map<String, Object> service) {
        var result = new LinkedHashMap<String, String>();
        for (Object v : list(service, "volumes")) {
            if (v instanceof Map<?, ?> m) {
                if ("volume".equals(m.get("type"))) {
                    result.put(String.valueOf(m.get("source")), String.valueOf(m.get("target")));
                }
            } else {
                String[] parts = String.valueOf(v).split(":");
                boolean named = parts.length >= 2 && !parts[0].startsWith(".") && !parts[0].startsWith("/");
                if (named) {
                    result.put(parts[0], parts[1]);
                }
            }
        }
        return result;
    }

    static int replicas(Map<String, Object> service) {
        Object replicas = map(service, "deploy").get("replicas");
        return replicas == null ? 1 : Integer.parseInt(String.valueOf(replicas));
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        return asMap(parent.get(key));
    }

    static List<?> list(Map<String, Object> parent, String key) {
        return parent.get(key) instanceof List<?> l ? l : List.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
