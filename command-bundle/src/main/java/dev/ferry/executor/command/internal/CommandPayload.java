package dev.ferry.executor.command.internal;

import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.support.payload.PayloadReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The command payload (the seed's): {@code {"command", "args", "env", "working_dir", "stdin"}}. */
final class CommandPayload {
    static final List<String> FIELDS = List.of("command", "args", "env", "working_dir", "stdin");
    private static final String EXAMPLE = "{\"command\":\"echo\",\"args\":[\"hello\"]}";

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
        String command = null;
        List<String> args = List.of();
        Map<String, String> env = Map.of();
        String wd = null;
        String stdin = null;
        try (PayloadReader r = PayloadReader.open(payload, "command", FIELDS, EXAMPLE)) {
            for (String name = r.nextField(); name != null; name = r.nextField()) {
                switch (name) {
                    case "command" -> command = r.text();
                    case "args" -> args = r.texts();
                    case "env" -> env = r.textMap();
                    case "working_dir" -> wd = r.text();
                    case "stdin" -> stdin = r.text();
                    default -> throw new IllegalStateException(name); // PayloadReader refuses fields not in FIELDS
                }
            }
            r.end();
        }
        if (command == null) {
            throw new InvalidPayloadException("command", "is required, e.g. \"command\":\"echo\"");
        }
        if (command.isEmpty()) {
            throw new InvalidPayloadException("command", "must not be empty");
        }
        noNul("command", command);
        for (int i = 0; i < args.size(); i++) {
            noNul("args[" + i + "]", args.get(i));
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String field = "env." + name;
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new InvalidPayloadException(
                        field, "is not a valid variable name (empty, or contains '=' or NUL)");
            }
            String refused = settings.payloadMayNotSet(name);
            if (refused != null) {
                throw new InvalidPayloadException(field, refused);
            }
            noNul(field, e.getValue());
        }
        Path workingDir = null;
        if (wd != null) {
            noNul("working_dir", wd);
            if (!wd.startsWith("/")) {
                throw new InvalidPayloadException("working_dir", "must be an absolute path, got '" + wd + "'");
            }
            workingDir = Path.of(wd).normalize();
            if (!Files.isDirectory(workingDir)) {
                throw new InvalidPayloadException(
                        "working_dir", "'" + wd + "' is not an existing directory on this worker");
            }
        }
        if (stdin != null) {
            noNul("stdin", stdin);
        }
        return new CommandPayload(command, args, env, workingDir, stdin);
    }

    private static String noNul(String field, String value) throws InvalidPayloadException {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidPayloadException(field, "contains a NUL character, which no program argument can hold");
        }
        return value;
    }
}
