package dev.vantage.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.beat.GoDuration;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the YAML files of {@code vantage apply} into {@link Item}s. Pure apart from reading the files: every problem of
 * every file is collected, with its file, line and field, and nothing stops at the first one.
 */
final class YamlReader {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_FILE_BYTES = 8 << 20;

    private final Function<String, String> env;
    private final List<Item> items = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();

    /** What the files say: their objects, and what is wrong with them (empty when they can be applied). */
    record Parsed(List<Item> items, List<Problem> problems) {
        Parsed {
            items = List.copyOf(items);
            problems = problems.stream().sorted().toList();
        }
    }

    private YamlReader(Function<String, String> env) {
        this.env = env;
    }

    /**
     * Reads one file, or every {@code *.yml} and {@code *.yaml} of a directory (not its subdirectories), in name order.
     *
     * @param env environment variables, for {@code ${env:NAME}} in secret fields
     */
    static Parsed read(Path fileOrDirectory, Function<String, String> env) throws IOException {
        List<Path> files;
        if (Files.isDirectory(fileOrDirectory)) {
            try (Stream<Path> listed = Files.list(fileOrDirectory)) {
                files = listed.filter(p -> {
                            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                            return Files.isRegularFile(p) && (n.endsWith(".yml") || n.endsWith(".yaml"));
                        })
                        .sorted()
                        .toList();
            }
        } else {
            files = List.of(fileOrDirectory);
        }
        var reader = new YamlReader(env);
        var texts = new LinkedHashMap<String, String>();
        for (Path file : files) {
            if (Files.size(file) > MAX_FILE_BYTES) {
                reader.problems.add(new Problem(file.toString(), 1, "", "larger than 8 MiB"));
                continue;
            }
            texts.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        }
        if (files.isEmpty()) {
            reader.problems.add(new Problem(fileOrDirectory.toString(), 1, "", "no *.yml or *.yaml file in it"));
        }
        return reader.readAll(texts);
    }

    /** Reads YAML texts by file name, in the order given (for tests). */
    static Parsed read(Map<String, String> texts, Function<String, String> env) {
        return new YamlReader(env).readAll(texts);
    }

    private Parsed readAll(Map<String, String> texts) {
        texts.forEach(this::readFile);
        checkNamesAreUnique();
        return new Parsed(items, problems);
    }

    private void readFile(String file, String text) {
        var options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        Node root;
        try (Reader r = new StringReader(text)) {
            root = new Yaml(options).compose(r);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            problems.add(new Problem(file, line, "", "not valid YAML: " + e.getProblem()));
            return;
        } catch (YAMLException | IOException e) {
            problems.add(new Problem(file, 1, "", "not valid YAML: " + e.getMessage()));
            return;
        }
        if (root == null) {
            return; // an empty file: nothing to add
        }
        if (!(root instanceof MappingNode top)) {
            problems.add(problem(file, root, "", "expected a mapping with schedules, channels and monitors"));
            return;
        }
        for (NodeTuple t : top.getValue()) {
            String key = keyOf(t);
            Kind kind = Arrays.stream(Kind.values())
                    .filter(k -> k.section().equals(key))
                    .findFirst()
                    .orElse(null);
            if (kind == null) {
                problems.add(
                        problem(file, t.getKeyNode(), key, "unknown section (known: schedules, channels, monitors)"));
            } else if (t.getValueNode() instanceof SequenceNode list) {
                for (int i = 0; i < list.getValue().size(); i++) {
                    readItem(
                            file,
                            kind,
                            kind.section() + "[" + i + "]",
                            list.getValue().get(i));
                }
            } else if (!isNull(t.getValueNode())) {
                problems.add(problem(file, t.getValueNode(), key, "expected a list of " + kind.word() + "s"));
            }
        }
    }

    private void readItem(String file, Kind kind, String path, Node node) {
        if (!(node instanceof MappingNode map)) {
            problems.add(
                    problem(file, node, path, "expected a mapping (name: ..., and the " + kind.word() + "'s fields)"));
            return;
        }
        String name = null;
        var values = new LinkedHashMap<String, Object>();
        var lines = new HashMap<String, Integer>();
        int before = problems.size();
        for (NodeTuple t : map.getValue()) {
            String key = keyOf(t);
            Node value = t.getValueNode();
            Integer earlier = lines.put(key, line(value));
            if (earlier != null) {
                // SnakeYAML's composer keeps both; the last one would silently win.
                problems.add(
                        problem(file, t.getKeyNode(), path + "." + key, "given twice (also at line " + earlier + ")"));
                continue;
            }
            if (key.equals("name")) {
                if (value instanceof ScalarNode s && !isNull(s) && !s.getValue().isBlank()) {
                    name = s.getValue().strip();
                } else {
                    problems.add(problem(file, value, path + ".name", "expected a non-empty name"));
                }
                continue;
            }
            var field = kind.field(key);
            if (field.isEmpty()) {
                problems.add(problem(
                        file,
                        t.getKeyNode(),
                        path + "." + key,
                        "unknown field of a " + kind.word() + " (known: name, "
                                + String.join(
                                        ", ",
                                        kind.fields().stream().map(Field::name).toList()) + ")"));
                continue;
            }
            try {
                values.put(key, value(field.get(), value));
            } catch (BadValue e) {
                problems.add(problem(file, e.at == null ? value : e.at, path + "." + key + e.subPath, e.getMessage()));
            }
        }
        if (name == null && !lines.containsKey("name")) {
            problems.add(problem(file, node, path, "no name: every " + kind.word() + " needs a name: (unique)"));
        }
        for (Field f : kind.fields()) {
            if (!lines.containsKey(f.name())) {
                if (f.required()) {
                    problems.add(problem(file, node, path + "." + f.name(), "missing (required)"));
                } else if (!f.keep()) {
                    values.put(f.name(), f.absent());
                }
            }
        }
        if (name != null && problems.size() == before) {
            items.add(new Item(kind, name, values, new Item.Source(file, line(node), path, lines)));
        } else if (name != null) {
            // Keep the name so that a duplicate is still reported, but do not apply a broken object.
            items.add(new Item(kind, name, null, new Item.Source(file, line(node), path, lines)));
        }
    }

    private void checkNamesAreUnique() {
        var seen = new HashMap<String, Item>();
        for (Item item : items) {
            Item first = seen.putIfAbsent(item.kind().word() + "\0" + item.name(), item);
            if (first != null) {
                problems.add(item.source()
                        .problem(
                                "name",
                                "'" + item.name() + "' is defined twice: at "
                                        + first.source().where() + " and here, "
                                        + item.source().where()));
            }
        }
        items.removeIf(i -> i.values() == null);
    }

    /** The value of one field, in the representation of its type. */
    private Object value(Field field, Node node) throws BadValue {
        if (isNull(node)) {
            if (!field.nullable() && !field.keep()) {
                throw new BadValue(
                        null,
                        "",
                        "must not be null"
                                + (field.absent() == null ? "" : " (leave it out for " + field.absent() + ")"));
            }
            return null;
        }
        return switch (field.type()) {
            case TEXT, REF -> text(field, scalar(node, "a string"));
            case INT -> integer(node);
            case BOOL -> bool(node);
            case SECONDS -> seconds(node);
            case JSON -> json(node, field.secret(), "");
            case REFS -> names(node);
        };
    }

    private String text(Field field, ScalarNode s) throws BadValue {
        return field.secret() ? resolve(s, s.getValue(), "") : s.getValue();
    }

    private String resolve(Node at, String text, String subPath) throws BadValue {
        try {
            return EnvRefs.resolve(text, env);
        } catch (IllegalArgumentException e) {
            throw new BadValue(at, subPath, e.getMessage());
        }
    }

    private static Integer integer(Node node) throws BadValue {
        ScalarNode s = scalar(node, "an integer");
        if (!s.getTag().equals(Tag.INT)) {
            throw new BadValue(node, "", "expected an integer, was '" + s.getValue() + "'");
        }
        try {
            return Integer.valueOf(s.getValue().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadValue(node, "", "expected an integer between -2147483648 and 2147483647, was " + s.getValue());
        }
    }

    private static Boolean bool(Node node) throws BadValue {
        ScalarNode s = scalar(node, "true or false");
        return switch (s.getTag().equals(Tag.BOOL) ? s.getValue().toLowerCase(Locale.ROOT) : "") {
            case "true", "yes", "on", "y" -> true;
            case "false", "no", "off", "n" -> false;
            default -> throw new BadValue(node, "", "expected true or false, was '" + s.getValue() + "'");
        };
    }

    private static Integer seconds(Node node) throws BadValue {
        ScalarNode s = scalar(node, "a duration such as 30s");
        String example =
                "expected a duration such as 30s, 5m or 1h30m (or a number of seconds), was '" + s.getValue() + "'";
        Duration d;
        try {
            d = GoDuration.parse(s.getValue());
        } catch (IllegalArgumentException e) {
            throw new BadValue(node, "", example);
        }
        if (d.getNano() != 0 || d.getSeconds() > Integer.MAX_VALUE) {
            throw new BadValue(node, "", "expected whole seconds, was '" + s.getValue() + "'");
        }
        return (int) d.getSeconds();
    }

    private static List<String> names(Node node) throws BadValue {
        if (!(node instanceof SequenceNode list)) {
            throw new BadValue(node, "", "expected a list of names, e.g. [a, b]");
        }
        var names = new TreeSet<String>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node n = list.getValue().get(i);
            if (!(n instanceof ScalarNode s) || isNull(s) || s.getValue().isBlank()) {
                throw new BadValue(n, "[" + i + "]", "expected a name");
            }
            if (!names.add(s.getValue().strip())) {
                throw new BadValue(n, "[" + i + "]", "'" + s.getValue().strip() + "' is listed twice");
            }
        }
        return List.copyOf(names);
    }

    /** A YAML value as JSON; strings of a secret field have their ${env:NAME} resolved. */
    private JsonNode json(Node node, boolean secret, String path) throws BadValue {
        if (node instanceof MappingNode map) {
            ObjectNode o = JSON.objectNode();
            var lines = new HashMap<String, Integer>();
            for (NodeTuple t : map.getValue()) {
                String key = keyOf(t);
                Integer earlier = lines.put(key, line(t.getKeyNode()));
                if (earlier != null) {
                    // As at the top level: SnakeYAML keeps both, and the last one would silently win.
                    throw new BadValue(t.getKeyNode(), path + "." + key, "given twice (also at line " + earlier + ")");
                }
                o.set(key, json(t.getValueNode(), secret, path + "." + key));
            }
            return o;
        }
        if (node instanceof SequenceNode list) {
            ArrayNode a = JSON.arrayNode();
            for (int i = 0; i < list.getValue().size(); i++) {
                a.add(json(list.getValue().get(i), secret, path + "[" + i + "]"));
            }
            return a;
        }
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        String v = s.getValue();
        try {
            if (tag.equals(Tag.NULL)) {
                return JSON.nullNode();
            } else if (tag.equals(Tag.BOOL)) {
                return JSON.booleanNode(bool(s));
            } else if (tag.equals(Tag.INT)) {
                BigInteger big = new BigInteger(v.replace("_", ""));
                return big.bitLength() < 32
                        ? JSON.numberNode(big.intValue())
                        : big.bitLength() < 64 ? JSON.numberNode(big.longValue()) : JSON.numberNode(big);
            } else if (tag.equals(Tag.FLOAT)) {
                return JSON.numberNode(Double.parseDouble(v.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            throw new BadValue(node, path, "not a number JSON can hold: " + v);
        }
        return JSON.textNode(secret ? resolve(node, v, path) : v);
    }

    private static ScalarNode scalar(Node node, String expected) throws BadValue {
        if (node instanceof ScalarNode s) {
            return s;
        }
        throw new BadValue(
                node, "", "expected " + expected + ", not a " + (node instanceof MappingNode ? "mapping" : "list"));
    }

    private static String keyOf(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
    }

    private static Problem problem(String file, Node at, String path, String message) {
        return new Problem(file, line(at), path, message);
    }

    /** A value that does not fit its field; {@code subPath} locates it inside a list or mapping. */
    private static final class BadValue extends Exception {
        final Node at;
        final String subPath;

        BadValue(Node at, String subPath, String message) {
            super(message, null, false, false);
            this.at = at;
            this.subPath = subPath;
        }
    }
}
