package dev.ferry.executor.command.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.ferry.executor.api.InvalidPayloadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command payload (the seed's): {@code {"command", "args", "env", "working_dir", "stdin"}}. */
final class CommandPayload {
    static final Set<String> FIELDS = Set.of("command", "args", "env", "working_dir", "stdin");

    // one mapper per bundle revision: no class of ours lands in a cache shared with other bundles
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // {"command":"echo"} {"command":"rm"} is refused, not read as its first object
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    final String command;
    final List<String> args;
    final Map<String, String> env;
    final Path workingDir;
    final String stdin;

    private CommandPayload(String command, List<String> args, Map<String, String> env, Path workingDir, String stdin) {
        this.command = command;
        this.args = args;
        this.env = env;
        this.workingDir = workingDir;
        this.stdin = stdin;
    }

    static CommandPayload parse(byte[] payload, CommandSettings settings) throws InvalidPayloadException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            // a second value after the object (FAIL_ON_TRAILING_TOKENS) is said as the jdbc payload says it
            throw new InvalidPayloadException(null, (e.getOriginalMessage().startsWith("Trailing token")
                    ? "has more after its closing brace" : "not valid JSON: " + e.getOriginalMessage())
                    + "; send one object like {\"command\":\"echo\",\"args\":[\"hello\"]}");
        } catch (IOException e) {
            throw new InvalidPayloadException(null, "unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPayloadException(null, "must be a JSON object like {\"command\":\"echo\",\"args\":[\"hello\"]}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidPayloadException(name, "unknown field; the command payload has only "
                        + "command, args, env, working_dir and stdin");
            }
        }
        String command = text(root, "command", true);
        if (command.isEmpty()) {
            throw new InvalidPayloadException("command", "must not be empty");
        }
        List<String> args = new ArrayList<>();
        JsonNode argsNode = root.get("args");
        if (argsNode != null && !argsNode.isNull()) {
            if (!argsNode.isArray()) {
                throw new InvalidPayloadException("args", "must be an array of strings, got " + kind(argsNode));
            }
            for (int i = 0; i < argsNode.size(); i++) {
                JsonNode a = argsNode.get(i);
                if (!a.isTextual()) {
                    throw new InvalidPayloadException("args[" + i + "]", "must be a string, got " + kind(a)
                            + "; quote numbers (\"5\")");
                }
                args.add(noNul("args[" + i + "]", a.asText()));
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = root.get("env");
        if (envNode != null && !envNode.isNull()) {
            if (!envNode.isObject()) {
                throw new InvalidPayloadException("env", "must be an object of strings, got " + kind(envNode));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = envNode.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                String field = "env." + name;
                if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                    throw new InvalidPayloadException(field, "is not a valid variable name (empty, or contains '=' or NUL)");
                }
                if (!e.getValue().isTextual()) {
                    throw new InvalidPayloadException(field, "must be a string, got " + kind(e.getValue()));
                }
                if (settings.envDenied(name)) {
                    throw new InvalidPayloadException(field, "may not be set by a task: it matches env_deny of "
                            + CommandConfig.PID + " (loader and secret variables never reach a child)");
                }
                env.put(name, noNul(field, e.getValue().asText()));
            }
        }
        Path workingDir = null;
        if (root.hasNonNull("working_dir")) {
            String wd = text(root, "working_dir", false);
            if (!wd.startsWith("/")) {
                throw new InvalidPayloadException("working_dir", "must be an absolute path, got '" + wd + "'");
            }
            workingDir = Path.of(wd).normalize();
            if (!Files.isDirectory(workingDir)) {
                throw new InvalidPayloadException("working_dir", "'" + wd + "' is not an existing directory on this worker");
            }
        }
        String stdin = root.hasNonNull("stdin") ? text(root, "stdin", false) : null;
        return new CommandPayload(command, List.copyOf(args), env, workingDir, stdin);
    }

    private static String text(JsonNode root, String field, boolean required) throws InvalidPayloadException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new InvalidPayloadException(field, "is required, e.g. \"" + field + "\":\"echo\"");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidPayloadException(field, "must be a string, got " + kind(n));
        }
        return noNul(field, n.asText());
    }

    private static String noNul(String field, String value) throws InvalidPayloadException {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidPayloadException(field, "contains a NUL character, which no program argument can hold");
        }
        return value;
    }

    private static String kind(JsonNode n) {
        JsonNodeType t = n.getNodeType();
        return switch (t) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            default -> t.name().toLowerCase();
        };
    }
}
