package dev.ferry.support;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a component's raw configuration properties into its configuration annotation, strictly,
 * instead of leaving the conversion to Declarative Services, which fails open or loud:
 * <ul>
 * <li>an unknown key (a typo such as {@code blocked_comands}) is refused, naming the nearest known key;</li>
 * <li>a list key accepts a typed array and the {@code .cfg} spelling {@code a, b, c} (one string, also
 *     continued over several lines), split on commas — never taken as one element;</li>
 * <li>a number that is not one, overflows, or is missing its value is refused with the key's name;</li>
 * <li>a boolean must be {@code true} or {@code false};</li>
 * <li>{@code $[env:NAME]} and {@code $[file:/path]} in a string are replaced by that environment variable
 *     or that file's first line, so secrets need not be written into {@code etc/}.</li>
 * </ul>
 * Keys the framework, the file watcher or the config.yaml bridge add ({@code service.*}, {@code component.*},
 * {@code felix.*}, {@value #ORIGIN}) are ignored. Property names follow DS: a method {@code max__rows} is key {@code max_rows},
 * {@code executor_concurrency_max} is {@code executor.concurrency.max}.
 */
public final class Configs {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\[(env|file):([^\\]]*)]");

    private Configs() {}

    /** A configuration refused as a whole; the message names the source, the keys and what to do. */
    public static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * @param type the configuration annotation (its methods are the keys, their defaults the defaults)
     * @param pid the configuration's PID, named in messages
     * @param raw the properties as Configuration Admin delivers them
     * @return an instance of {@code type} backed by the checked values
     * @throws Refused naming every key that is wrong and why
     */
    public static <A> A read(Class<A> type, String pid, Map<String, ?> raw) {
        Map<String, Method> keys = keys(type);
        List<String> problems = new ArrayList<>();
        for (String key : raw.keySet()) {
            if (!keys.containsKey(key) && !ignored(key)) {
                String near = nearest(key, keys.keySet());
                problems.add(
                        "'" + key + "' is not a known key" + (near == null ? "" : " (did you mean '" + near + "'?)")
                                + "; known keys: " + String.join(", ", new TreeSet<>(keys.keySet())));
            }
        }
        String dangling = danglingContinuation(raw);
        if (dangling != null) {
            problems.add(dangling);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Method> e : keys.entrySet()) {
            String key = e.getKey();
            Method m = e.getValue();
            Object value = raw.get(key);
            if (key.endsWith("_file") && value != null && String.valueOf(value).contains("$[")) {
                // ${file:…} puts the file's content in the value's place: a secret, where a path is expected
                problems.add("'" + key + "' takes a path, not a ${file:…} or ${env:…} reference (that would put the"
                        + " secret itself where the path goes); write the path, or move the reference to the key"
                        + " without _file");
                continue;
            }
            try {
                Object converted = value == null ? defaultOf(m) : convert(value, m.getReturnType());
                if (value != null && m.isAnnotationPresent(AllowList.class) && holdsNothing(converted)) {
                    problems.add("'" + key + "' is set but holds nothing; an empty allow list would let everything"
                            + " through, so it is refused: list what is allowed, or remove the key");
                    continue;
                }
                values.put(m.getName(), converted);
            } catch (IllegalArgumentException bad) {
                problems.add("'" + key + "' " + bad.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused("configuration " + source(pid, raw) + " refused: " + String.join("; ", problems));
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return type.getSimpleName() + values;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    Object v = values.get(method.getName());
                    return v != null && v.getClass().isArray() ? ((Object[]) v).clone() : v;
            }
        }));
    }

    /**
     * A {@code .cfg} file (FileInstall's, named by {@code felix.fileinstall.filename}) with a value continued by
     * a trailing backslash onto a blank line or past the end of the file: FileInstall then drops that key without
     * a word ({@code allowed_commands = \} and nothing after it came back as no allow list at all) or joins it with
     * the next key's line. What the parsed configuration lacks cannot be judged from it, so the file is looked at
     * for this one construct, and refused.
     *
     * @return the problem, or null
     */
    private static String danglingContinuation(Map<String, ?> raw) {
        Object name = raw.get("felix.fileinstall.filename");
        if (name == null) {
            return null;
        }
        Path file;
        try {
            String f = name.toString();
            file = f.startsWith("file:") ? Path.of(java.net.URI.create(f)) : Path.of(f);
        } catch (RuntimeException e) {
            return null;
        }
        if (!(WholeFile.read(file, 1024 * 1024) instanceof WholeFile.Read read)) {
            return null; // gone or unreadable: FileInstall's own reading of it is what there is
        }
        String[] lines = new String(read.bytes(), StandardCharsets.UTF_8).split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            int slashes = 0;
            for (int k = line.length() - 1; k >= 0 && line.charAt(k) == '\\'; k--) {
                slashes++;
            }
            boolean continued = slashes % 2 == 1;
            boolean nothingAfter = i + 1 >= lines.length || lines[i + 1].isBlank();
            if (continued && nothingAfter) {
                return "line " + (i + 1)
                        + " ends with a backslash that continues its value onto a blank line or past the"
                        + " end of the file: the key is then dropped, or joined with the next key's line; end the value on"
                        + " that line, or put its next item on the line below";
            }
        }
        return null;
    }

    /** Whether a list value has no element that is more than blanks. */
    private static boolean holdsNothing(Object value) {
        if (value == null || !value.getClass().isArray()) {
            return false;
        }
        for (int i = 0; i < Array.getLength(value); i++) {
            Object item = Array.get(value, i);
            if (item != null && !item.toString().isBlank()) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a {@code ConfigurationCheck} answers: runs the component's own reader and drops the result.
     *
     * @param reader reads the settings as the component does, throwing {@link IllegalArgumentException}
     * @return empty when the reader took the configuration, else its refusal
     */
    public static java.util.Optional<String> problem(java.util.function.Supplier<?> reader) {
        try {
            reader.get();
            return java.util.Optional.empty();
        } catch (IllegalArgumentException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    /**
     * The property the worker's config.yaml bridge sets on every configuration it writes: where in
     * the file it came from, e.g. {@code /srv/ferry/etc/config.yaml, executors.command}.
     */
    public static final String ORIGIN = "ferry.config.origin";

    /** The file a configuration came from (etc/x.cfg, or config.yaml and its section), else its PID. */
    public static String source(String pid, Map<String, ?> raw) {
        Object origin = raw.get(ORIGIN);
        if (origin != null) {
            return origin.toString();
        }
        Object file = raw.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            return f.startsWith("file:") ? Path.of(java.net.URI.create(f)).toString() : f;
        }
        return pid;
    }

    /** The list spelling of {@code .cfg} files: commas (and line breaks) separate items; blanks are dropped. */
    public static String[] list(Object value) {
        List<Object> items = new ArrayList<>();
        if (value == null) {
            return new String[0];
        } else if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(Array.get(value, i));
            }
        } else if (value instanceof Collection) {
            items.addAll((Collection<?>) value);
        } else {
            items.add(value);
        }
        List<String> out = new ArrayList<>();
        for (Object item : items) {
            for (String part : resolve(String.valueOf(item)).split("[,\\n]")) {
                String t = part.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out.toArray(new String[0]);
    }

    static Map<String, Method> keys(Class<?> type) {
        Map<String, Method> keys = new LinkedHashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            if (m.getParameterCount() == 0 && !m.isSynthetic() && !m.isDefault()) {
                keys.put(key(m.getName()), m);
            }
        }
        return keys;
    }

    /** DS 1.4's mapping of a method name to a property name (112.8.2.2). */
    static String key(String method) {
        StringBuilder sb = new StringBuilder(method.length());
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c == '$') {
                if (method.startsWith("$_$", i)) {
                    sb.append('-');
                    i += 2;
                } else if (method.startsWith("$$", i)) {
                    sb.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (method.startsWith("__", i)) {
                    sb.append('_');
                    i++;
                } else {
                    sb.append('.');
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean ignored(String key) {
        return key.startsWith("service.")
                || key.startsWith("component.")
                || key.startsWith("felix.")
                || key.startsWith("osgi.")
                || key.startsWith(".")
                || key.equals("objectClass")
                || key.equals("executor.type") // set by @ExecutorType on the component, not by configuration
                || key.endsWith(".target") // a reference's target filter: Declarative Services' own
                || key.equals(ORIGIN);
    }

    private static Object defaultOf(Method m) {
        Object d = m.getDefaultValue();
        if (d == null) {
            throw new IllegalArgumentException("is required and missing");
        }
        return d;
    }

    private static Object convert(Object value, Class<?> to) {
        if (to == String[].class) {
            return list(value);
        }
        Object single = single(value);
        if (to == String.class) {
            return resolve(String.valueOf(single));
        }
        String text = single instanceof String ? resolve(((String) single)).trim() : null;
        if (text != null && text.isEmpty()) {
            throw new IllegalArgumentException("has no value; give one or remove the line to get the default");
        }
        try {
            if (to == int.class) {
                long v = single instanceof Number ? wholeNumber((Number) single) : Long.parseLong(text);
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            "is out of range: " + v + " (at most " + Integer.MAX_VALUE + ")");
                }
                return (int) v;
            }
            if (to == long.class) {
                return single instanceof Number ? wholeNumber((Number) single) : Long.parseLong(text);
            }
            if (to == double.class) {
                double v = single instanceof Number ? ((Number) single).doubleValue() : Double.parseDouble(text);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("must be a finite number, got '" + single + "'");
                }
                return v;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be " + (to == double.class ? "a number" : "a whole number")
                    + (to == double.class ? "" : " that fits in " + (to == int.class ? "32" : "64") + " bits")
                    + ", got '" + single + "'");
        }
        if (to == boolean.class) {
            if (single instanceof Boolean) {
                return single;
            }
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    throw new IllegalArgumentException("must be true or false, got '" + single + "'");
            }
        }
        throw new IllegalStateException("unsupported configuration type " + to);
    }

    private static long wholeNumber(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d != Math.rint(d) || Math.abs(d) > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
        }
        return n.longValue();
    }

    private static Object single(Object value) {
        if (value.getClass().isArray() || value instanceof Collection) {
            String[] items = list(value);
            if (items.length != 1) {
                throw new IllegalArgumentException("takes one value, got " + Arrays.toString(items));
            }
            return items[0];
        }
        return value;
    }

    /** Replaces {@code $[env:NAME]} and {@code $[file:/path]} references; a missing one is refused. */
    static String resolve(String text) {
        if (text.indexOf("$[") < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(2).trim();
            String v;
            if (m.group(1).equals("env")) {
                v = System.getenv(name);
                if (v == null) {
                    throw new IllegalArgumentException(
                            "refers to $[env:" + name + "], which is not set in the worker's environment");
                }
            } else {
                try {
                    v = WholeFile.firstLine(Path.of(name));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(
                            "refers to $[file:" + name + "], which cannot be read (" + e + ")");
                }
            }
            Redact.resolved(v);
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The known key closest to a misspelt one, when it is close enough to be a typo. */
    public static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
