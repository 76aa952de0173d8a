package dev.ferry.worker.internal.config;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The worker's {@code config.yaml}, read into sections of configuration properties with the line of
 * every key, or refused as a whole with the line, the key and why. Structure only: whether a
 * component takes a section's values is for its {@code ConfigurationCheck}.
 *
 * <pre>
 * executors:            # one section per task type; enabled: false stops serving the type
 *   command: {enabled: true, allowed_commands: [ls, cat]}
 * worker:
 *   registry: {...}     # dev.ferry.registry
 *   grpc: {...}         # dev.ferry.grpc
 *   metrics: {...}      # dev.ferry.metrics (also audit: dev.ferry.audit, logging: dev.ferry.logging)
 * datasources:
 *   reports: {url: ..., password: ${env:REPORTS_PASSWORD}}   # one dev.ferry.datasource each
 * </pre>
 */
final class ConfigYaml {
    static final String EXECUTORS = "executors";
    static final String WORKER = "worker";
    /** The sections of {@code worker:} and the PID each configures. */
    static final Map<String, String> WORKER_SECTIONS = orderedOf(
            "registry",
            "dev.ferry.registry",
            "grpc",
            "dev.ferry.grpc",
            "metrics",
            "dev.ferry.metrics",
            "audit",
            "dev.ferry.audit",
            "logging",
            "dev.ferry.logging");

    private static Map<String, String> orderedOf(String... pairs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    static final String DATASOURCES = "datasources";
    static final String ENABLED = "enabled";

    /** The names the design's config.yaml gives keys whose property names have dots in them. */
    static final Map<String, String> ALIASES = Map.of(
            "concurrency", "executor.concurrency.max",
            "max_timeout_seconds", "executor.timeout.max.seconds");

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");
    private static final int MAX_BYTES = 1024 * 1024;

    /** One key's value as Configuration Admin takes it (String, Long, Double, Boolean, String[]) and its line. */
    record Entry(String key, Object value, int line) {}

    /** One section: {@code executors.command}, {@code worker.grpc}, {@code datasources.reports}. */
    record Section(String path, String name, int line, Map<String, Entry> entries) {
        /** @return the line to blame for a problem that names {@code key}, else the section's */
        int lineOf(String message) {
            for (Entry e : entries.values()) {
                if (message.contains("'" + e.key + "'")) {
                    return e.line;
                }
            }
            return line;
        }
    }

    /** A type's {@code enabled} value and its line. */
    record Switch(boolean enabled, int line) {}

    /** The file as read: sections by path, and the types it switches on or off. */
    record Parsed(
            Map<String, Section> executors,
            Map<String, Switch> switches,
            Map<String, Section> worker,
            Map<String, Section> datasources) {
        static final Parsed EMPTY = new Parsed(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** The file refused; the message names the file, the line, the key and what to do. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final Path file;
    private final Function<String, String> env;
    private final List<String> problems = new ArrayList<>();

    private ConfigYaml(Path file, Function<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /**
     * @param file the file, for messages and to resolve relative {@code ${file:…}} paths
     * @param text its content
     * @param env the environment {@code ${env:NAME}} reads (System::getenv, or a map in tests)
     */
    static Parsed parse(Path file, String text, Function<String, String> env) throws Refused {
        return new ConfigYaml(file, env).read(text);
    }

    private Parsed read(String text) throws Refused {
        if (text.length() > MAX_BYTES) {
            throw new Refused(file + " refused: it is larger than 1 MiB; this file holds settings, not data");
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowRecursiveKeys(false);
            options.setMaxAliasesForCollections(20);
            options.setCodePointLimit(MAX_BYTES);
            root = new Composer(
                            new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options)
                    .getSingleNode();
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null
                    ? e.getProblemMark().getLine() + 1
                    : e.getContextMark().getLine() + 1;
            throw new Refused(file + " line " + line + " refused: not valid YAML: " + e.getProblem()
                    + (e.getContext() != null ? " (" + e.getContext() + ")" : "")
                    + "; nothing in the file was applied");
        } catch (YAMLException e) {
            throw new Refused(
                    file + " refused: not valid YAML: " + e.getMessage() + "; nothing in the file was applied");
        }
        if (root == null) {
            return Parsed.EMPTY; // an empty file (or only comments) sets nothing
        }
        Map<String, Section> executors = new LinkedHashMap<>();
        Map<String, Switch> switches = new LinkedHashMap<>();
        Map<String, Section> worker = new LinkedHashMap<>();
        Map<String, Section> datasources = new LinkedHashMap<>();
        for (Map.Entry<String, Node> top : mapping(root, "the file").entrySet()) {
            Node value = top.getValue();
            switch (top.getKey()) {
                case EXECUTORS -> {
                    for (Map.Entry<String, Node> type :
                            mapping(value, EXECUTORS).entrySet()) {
                        Section s = section(EXECUTORS + "." + type.getKey(), type.getKey(), type.getValue());
                        if (s == null) {
                            continue;
                        }
                        Entry enabled = s.entries.remove(ENABLED);
                        if (enabled != null) {
                            if (enabled.value instanceof Boolean b) {
                                switches.put(type.getKey(), new Switch(b, enabled.line));
                            } else {
                                problem(
                                        enabled.line,
                                        s.path + "." + ENABLED,
                                        "must be true or false, got '" + enabled.value + "'");
                            }
                        }
                        executors.put(type.getKey(), s);
                    }
                }
                case WORKER -> {
                    for (Map.Entry<String, Node> part : mapping(value, WORKER).entrySet()) {
                        if (!WORKER_SECTIONS.containsKey(part.getKey())) {
                            problem(
                                    value,
                                    WORKER + "." + part.getKey(),
                                    "is not a section of worker: it has " + String.join(", ", WORKER_SECTIONS.keySet())
                                            + " (see the README's configuration reference)");
                            continue;
                        }
                        Section s = section(WORKER + "." + part.getKey(), part.getKey(), part.getValue());
                        if (s != null) {
                            worker.put(part.getKey(), s);
                        }
                    }
                }
                case DATASOURCES -> {
                    for (Map.Entry<String, Node> ds :
                            mapping(value, DATASOURCES).entrySet()) {
                        Section s = section(DATASOURCES + "." + ds.getKey(), ds.getKey(), ds.getValue());
                        if (s == null) {
                            continue;
                        }
                        Entry name = s.entries.get("name");
                        if (name != null && !ds.getKey().equals(name.value)) {
                            problem(
                                    name.line,
                                    s.path + ".name",
                                    "differs from the section's name '" + ds.getKey()
                                            + "'; the section's name is the datasource's name: remove 'name'");
                        }
                        s.entries.put("name", new Entry("name", ds.getKey(), s.line));
                        datasources.put(ds.getKey(), s);
                    }
                }
                default ->
                    problem(
                            root,
                            top.getKey(),
                            "is not a section of config.yaml; it has 'executors', 'worker' and" + " 'datasources'"
                                    + near(top.getKey()));
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused(file + " refused: " + String.join("; ", problems) + "; nothing in the file was applied");
        }
        return new Parsed(executors, switches, worker, datasources);
    }

    private static String near(String key) {
        String known = dev.ferry.support.Configs.nearest(key, List.of(EXECUTORS, WORKER, DATASOURCES));
        return known == null ? "" : " (did you mean '" + known + "'?)";
    }

    /** A mapping's keys (scalars, each once) to their value nodes; anything else is a problem. */
    private Map<String, Node> mapping(Node node, String where) {
        Map<String, Node> out = new LinkedHashMap<>();
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
            return out; // "executors:" with nothing under it
        }
        if (!(node instanceof MappingNode m)) {
            problem(node, where, "must be a mapping of names to settings (name: value, one per line, indented)");
            return out;
        }
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                problem(t.getKeyNode(), where, "has a key that is not a name");
                continue;
            }
            if (out.containsKey(k.getValue())) {
                problem(k, where + "." + k.getValue(), "is set twice; keep one");
                continue;
            }
            out.put(k.getValue(), t.getValueNode());
        }
        return out;
    }

    private Section section(String path, String name, Node node) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : mapping(node, path).entrySet()) {
            String key = ALIASES.getOrDefault(e.getKey(), e.getKey());
            if (entries.containsKey(key)) {
                problem(
                        e.getValue(),
                        path + "." + e.getKey(),
                        "sets " + key + " a second time (" + e.getKey() + " is another" + " name for it); keep one");
                continue;
            }
            Object value = value(e.getValue(), path + "." + e.getKey());
            if (value != null) {
                entries.put(key, new Entry(key, value, line(e.getValue())));
            }
        }
        return new Section(path, name, line(node), entries);
    }

    /** A value as Configuration Admin takes it, or null after noting the problem. */
    private Object value(Node node, String where) {
        if (node instanceof ScalarNode s) {
            return scalar(s, where);
        }
        if (node instanceof SequenceNode seq) {
            List<String> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                if (!(item instanceof ScalarNode s) || s.getTag().equals(Tag.NULL)) {
                    problem(
                            item,
                            where,
                            "must be a list of values (names, numbers); an item here is "
                                    + (item instanceof ScalarNode ? "empty" : "a list or a mapping"));
                    return null;
                }
                String text = text(s, where);
                if (text == null) {
                    return null;
                }
                items.add(text);
            }
            return items.toArray(new String[0]);
        }
        problem(node, where, "must be a value or a list of values, not a mapping");
        return null;
    }

    private Object scalar(ScalarNode s, String where) {
        Tag tag = s.getTag();
        String v = s.getValue();
        if (tag.equals(Tag.NULL)) {
            problem(s, where, "has no value; give one, or remove the line to get the default");
            return null;
        }
        if (tag.equals(Tag.BOOL)) {
            return Boolean.valueOf(v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on"));
        }
        if (tag.equals(Tag.INT)) {
            try {
                String digits = v.replace("_", "");
                BigInteger n = digits.startsWith("0x")
                        ? new BigInteger(digits.substring(2), 16)
                        : digits.startsWith("0o") ? new BigInteger(digits.substring(2), 8) : new BigInteger(digits);
                return n.longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                problem(s, where, "is not a whole number that fits in 64 bits: " + v);
                return null;
            }
        }
        if (tag.equals(Tag.FLOAT)) {
            try {
                return Double.valueOf(v.replace("_", ""));
            } catch (NumberFormatException e) {
                problem(s, where, "must be a finite number, got " + v);
                return null;
            }
        }
        return text(s, where);
    }

    /**
     * A string, with {@code ${env:NAME}} and {@code ${file:PATH}} checked now (the variable is set, the
     * file readable) and handed on as the {@code $[env:NAME]} / {@code $[file:/abs]} references the
     * components resolve themselves: the secret itself never enters Configuration Admin.
     */
    private String text(ScalarNode s, String where) {
        String v = s.getValue();
        Matcher m = REFERENCE.matcher(v);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(2).trim();
            String replacement;
            if (m.group(1).equals("env")) {
                if (name.isEmpty() || env.apply(name) == null) {
                    problem(
                            s,
                            where,
                            "refers to the environment variable '" + name + "', which the worker's environment"
                                    + " does not have; set it before starting the worker");
                    return null;
                }
                replacement = "$[env:" + name + "]";
            } else {
                Path p = file.toAbsolutePath().getParent().resolve(name).normalize();
                if (name.isEmpty() || !Files.isReadable(p) || !Files.isRegularFile(p)) {
                    problem(s, where, "refers to the file " + p + ", which is not a readable file");
                    return null;
                }
                replacement = "$[file:" + p + "]";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private void problem(Node node, String where, String what) {
        problem(line(node), where, what);
    }

    private void problem(int line, String where, String what) {
        problems.add("line " + line + ": " + where + " " + what);
    }
}
