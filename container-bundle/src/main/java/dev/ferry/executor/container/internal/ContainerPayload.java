package dev.ferry.executor.container.internal;

import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.support.payload.PayloadReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The container payload (the seed's, plus what a command task has): {@code {"image", "command", "env",
 * "mounts", "working_dir", "user", "stdin", "timeout_seconds"}}. Mounts are Docker's {@code -v} spelling,
 * {@code "/host/path:/container/path"} with {@code :ro} (the default) or {@code :rw}.
 */
final class ContainerPayload {
    static final List<String> FIELDS =
            List.of("image", "command", "env", "mounts", "working_dir", "user", "stdin", "timeout_seconds");
    private static final String EXAMPLE = "{\"image\":\"busybox:1.36\",\"command\":[\"echo\",\"hello\"]}";
    private static final int MAX_STDIN = 16 * 1024 * 1024;

    /** One bind mount, checked: its host folder resolved (symlinks followed) and allowed. */
    record Mount(Path source, String target, boolean readWrite) {
        String bind() {
            return source + ":" + target + (readWrite ? ":rw" : ":ro");
        }
    }

    final String image;
    final List<String> command;
    final Map<String, String> env;
    final List<Mount> mounts;
    final String workingDir;
    final String user;
    final byte[] stdin;
    final Double timeoutSeconds;
    /** Why the operator's policy refuses this task (image, mount), or null. */
    final String denial;

    private ContainerPayload(
            String image,
            List<String> command,
            Map<String, String> env,
            List<Mount> mounts,
            String workingDir,
            String user,
            byte[] stdin,
            Double timeoutSeconds,
            String denial) {
        this.image = image;
        this.command = command;
        this.env = env;
        this.mounts = mounts;
        this.workingDir = workingDir;
        this.user = user;
        this.stdin = stdin;
        this.timeoutSeconds = timeoutSeconds;
        this.denial = denial;
    }

    static ContainerPayload parse(byte[] payload, ContainerSettings settings) throws InvalidPayloadException {
        String image = null;
        List<String> command = null;
        Map<String, String> env = Map.of();
        List<String> mountTexts = List.of();
        String workingDir = null;
        String user = null;
        String stdin = null;
        Double seconds = null;
        try (PayloadReader r = PayloadReader.open(payload, "container", FIELDS, EXAMPLE)) {
            for (String name = r.nextField(); name != null; name = r.nextField()) {
                switch (name) {
                    case "image" -> image = r.text();
                    case "command" -> command = r.texts();
                    case "env" -> env = r.textMap();
                    case "mounts" -> mountTexts = r.texts();
                    case "working_dir" -> workingDir = r.text();
                    case "user" -> user = r.text();
                    case "stdin" -> stdin = r.text();
                    case "timeout_seconds" -> seconds = r.number();
                    default -> throw new IllegalStateException(name); // PayloadReader refuses fields not in FIELDS
                }
            }
            r.end();
        }
        if (image == null || image.isBlank()) {
            throw new InvalidPayloadException("image", "is required, e.g. \"image\":\"busybox:1.36\"");
        }
        if (image.chars().anyMatch(c -> c <= ' ' || c == 0x7f) || image.startsWith("-")) {
            throw new InvalidPayloadException("image", "'" + image + "' is not an image name");
        }
        if (command != null) {
            if (command.isEmpty()) {
                throw new InvalidPayloadException("command", "is empty; leave it out to run the image's own command");
            }
            for (String arg : command) {
                if (arg.indexOf('\0') >= 0) {
                    throw new InvalidPayloadException("command", "an argument contains a NUL character");
                }
            }
        }
        Map<String, String> environment = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String n = e.getKey();
            if (n.isEmpty()
                    || n.indexOf('=') >= 0
                    || n.indexOf('\0') >= 0
                    || e.getValue().indexOf('\0') >= 0) {
                throw new InvalidPayloadException("env." + n, "is not a valid variable (a name without '=' or NUL)");
            }
            environment.put(n, e.getValue());
        }
        if (workingDir != null && !workingDir.startsWith("/")) {
            throw new InvalidPayloadException(
                    "working_dir", "must be an absolute path in the container, got '" + workingDir + "'");
        }
        if (user != null && !user.matches("[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?")) {
            throw new InvalidPayloadException(
                    "user", "must be a user (name or uid), optionally :group, got '" + user + "'");
        }
        byte[] in = stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8);
        if (in != null && in.length > MAX_STDIN) {
            throw new InvalidPayloadException("stdin", "is " + in.length + " bytes; at most " + MAX_STDIN);
        }
        if (seconds != null && !(seconds > 0)) {
            throw new InvalidPayloadException("timeout_seconds", "must be > 0, got " + seconds);
        }
        String denial = null;
        if (!settings.allows(image)) {
            denial = "image '" + image + "' is not in allowed_images " + settings.allowedImages + " of "
                    + ContainerConfig.PID + "; ask the operator to allow it";
        }
        List<Mount> mounts = new ArrayList<>();
        for (String text : mountTexts) {
            Mount m = mount(text);
            // judged as written first, so a path outside the rules is refused without telling whether it exists
            String why = denial != null ? null : deniedMount(m, settings);
            if (why != null) {
                denial = why;
            }
            mounts.add(m);
        }
        List<Mount> resolved = new ArrayList<>();
        if (denial == null) {
            for (Mount m : mounts) {
                resolved.add(new Mount(real(m.source), m.target, m.readWrite));
            }
            for (Mount m : resolved) { // a symlink inside an allowed folder may point anywhere: judged once resolved
                String why = deniedMount(m, settings);
                if (why == null) {
                    why = swappable(m, settings);
                }
                if (why != null) {
                    denial = why + " (" + m.source + " once symbolic links are followed)";
                    break;
                }
            }
        }
        return new ContainerPayload(
                image,
                command == null ? null : List.copyOf(command),
                environment,
                denial == null ? List.copyOf(resolved) : List.of(),
                workingDir,
                user,
                in,
                seconds,
                denial);
    }

    private static Mount mount(String text) throws InvalidPayloadException {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidPayloadException("mounts", "'" + text + "' is not /host/path:/container/path[:ro|:rw]");
        }
        boolean rw = false;
        if (parts.length == 3) {
            switch (parts[2]) {
                case "ro" -> rw = false;
                case "rw" -> rw = true;
                default ->
                    throw new InvalidPayloadException(
                            "mounts", "'" + text + "' ends in '" + parts[2] + "'; use :ro or :rw");
            }
        }
        Path source = Path.of(parts[0]);
        if (!source.isAbsolute() || !parts[1].startsWith("/")) {
            throw new InvalidPayloadException("mounts", "'" + text + "': both paths must be absolute");
        }
        String target = Path.of(parts[1]).normalize().toString();
        for (String over : List.of("/", "/proc", "/sys", "/dev")) {
            if (target.equals(over)) {
                // the runtime would make the container's own folders (dev, etc, proc …) inside the host folder
                throw new InvalidPayloadException(
                        "mounts",
                        "'" + text + "': " + over + " cannot be a mount target in the"
                                + " container; mount under a folder of its own, such as /data");
            }
        }
        return new Mount(source.normalize(), target, rw);
    }

    /**
     * Why a mount source, resolved, is still not safe to hand to the engine, which resolves the path again
     * when it mounts it: a folder strictly inside a folder that tasks may mount read-write can be swapped by
     * one of them for a symlink to anywhere between this check and the engine's mount. Such a rule's own
     * folder is mounted as a whole; what lies inside it is not mounted on its own.
     */
    static String swappable(Mount m, ContainerSettings settings) {
        for (ContainerSettings.MountRule rule : settings.mounts) {
            if (!rule.readWrite()) {
                continue;
            }
            Path folder = realOrAsWritten(rule.prefix());
            if (m.source.startsWith(folder) && !m.source.equals(folder)) {
                return "mount " + m.source + " is inside " + folder
                        + ", which tasks may mount read-write (allowed_mounts"
                        + " has it with :rw): a task could swap it for a symbolic link between this check and the engine's"
                        + " mount; mount " + folder + " itself";
            }
        }
        return null;
    }

    private static Path realOrAsWritten(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /** @return why the operator's rules refuse this mount, or null */
    static String deniedMount(Mount m, ContainerSettings settings) {
        String never = ContainerSettings.forbidden(m.source, settings.socket);
        if (never != null) {
            return "mount " + m.source + " " + never;
        }
        for (ContainerSettings.MountRule rule : settings.mounts) {
            if (m.source.startsWith(rule.prefix())) {
                if (m.readWrite && !rule.readWrite()) {
                    return "mount " + m.source + " may only be read-only (allowed_mounts has " + rule.prefix()
                            + " without :rw); ask for :ro";
                }
                return null;
            }
        }
        return "mount " + m.source + " is not under allowed_mounts "
                + settings.mounts.stream()
                        .map(r -> r.prefix() + (r.readWrite() ? ":rw" : ""))
                        .toList() + " of " + ContainerConfig.PID;
    }

    private static Path real(Path p) throws InvalidPayloadException {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new InvalidPayloadException(
                    "mounts", p + " does not exist on the worker's host (" + e.getMessage() + ")");
        }
    }
}
