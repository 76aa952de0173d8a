package dev.ferry.executor.container.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The container executor's configuration as checked plain values. */
final class ContainerSettings {
    enum Pull {
        NEVER,
        IF_MISSING,
        ALWAYS
    }

    /** Host paths never mounted, nor any folder holding one of them. */
    static final List<Path> NEVER_MOUNTED = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

    /** One allowed host folder: a prefix, and whether tasks may ask for it read-write. */
    record MountRule(Path prefix, boolean readWrite) {}

    final Path socket;
    final List<String> allowedImages;
    final Pull pull;
    final Set<String> allowedRegistries;
    final List<MountRule> mounts;
    final String network;
    final long memoryBytes;
    final long nanoCpus;
    final long pidsLimit;
    final boolean readOnlyRootfs;
    final int maxOutputBytes;
    final String workerId;

    ContainerSettings(
            Path socket,
            List<String> allowedImages,
            Pull pull,
            Set<String> allowedRegistries,
            List<MountRule> mounts,
            String network,
            long memoryBytes,
            long nanoCpus,
            long pidsLimit,
            boolean readOnlyRootfs,
            int maxOutputBytes,
            String workerId) {
        this.socket = socket;
        this.allowedImages = allowedImages;
        this.pull = pull;
        this.allowedRegistries = allowedRegistries;
        this.mounts = mounts;
        this.network = network;
        this.memoryBytes = memoryBytes;
        this.nanoCpus = nanoCpus;
        this.pidsLimit = pidsLimit;
        this.readOnlyRootfs = readOnlyRootfs;
        this.maxOutputBytes = maxOutputBytes;
        this.workerId = workerId;
    }

    static ContainerSettings from(ContainerConfig c) {
        return from(c, null);
    }

    /** @param home the worker's folder (the framework's ferry.home or karaf.home), part of the default worker id */
    static ContainerSettings from(ContainerConfig c, String home) {
        String host = c.docker__host().trim();
        if (!host.startsWith("unix:///")) {
            throw bad(
                    "docker_host",
                    "must be a unix socket, unix:///path (e.g. unix:///var/run/docker.sock), got '" + host
                            + "'; an engine reached over TCP would need TLS, which this executor does not speak");
        }
        Path socket = Path.of(host.substring("unix://".length())).normalize();
        List<String> images = new ArrayList<>();
        for (String image : c.allowed__images()) {
            String i = image.trim();
            if (i.isEmpty()
                    || i.chars().anyMatch(ch -> ch <= ' ')
                    || i.indexOf('*') >= 0 && i.indexOf('*') != i.length() - 1) {
                throw bad(
                        "allowed_images",
                        "'" + image + "' is not an image name or a pattern ending in * (e.g. busybox:*)");
            }
            if (i.equals("*")) {
                throw bad(
                        "allowed_images",
                        "'*' would allow every image on the host and every registry; name them,"
                                + " or their registry and repository (registry.example.com/team/*)");
            }
            images.add(i);
        }
        Pull pull = switch (c.pull().trim().toLowerCase(Locale.ROOT)) {
            case "never" -> Pull.NEVER;
            case "if_missing" -> Pull.IF_MISSING;
            case "always" -> Pull.ALWAYS;
            default -> throw bad("pull", "must be never, if_missing or always, got '" + c.pull() + "'");
        };
        Set<String> registries = new java.util.HashSet<>();
        for (String r : c.allowed__registries()) {
            registries.add(r.trim().toLowerCase(Locale.ROOT));
        }
        if (pull != Pull.NEVER && registries.isEmpty()) {
            throw bad(
                    "pull",
                    "is " + c.pull() + " but allowed_registries is empty: name the registries images may come"
                            + " from, or set pull = never");
        }
        List<MountRule> mounts = new ArrayList<>();
        for (String m : c.allowed__mounts()) {
            String rule = m.trim();
            boolean rw = false;
            if (rule.endsWith(":rw") || rule.endsWith(":ro")) {
                rw = rule.endsWith(":rw");
                rule = rule.substring(0, rule.length() - 3);
            }
            Path p = Path.of(rule);
            if (!p.isAbsolute()) {
                throw bad("allowed_mounts", "'" + m + "' is not an absolute path (e.g. /srv/data or /srv/scratch:rw)");
            }
            p = p.normalize();
            String why = forbidden(p, socket);
            if (why != null) {
                throw bad("allowed_mounts", "'" + m + "' " + why);
            }
            mounts.add(new MountRule(p, rw));
        }
        String network = c.network().trim().toLowerCase(Locale.ROOT);
        if (!network.equals("none") && !network.equals("bridge")) {
            throw bad("network", "must be none or bridge, got '" + c.network() + "'");
        }
        if (c.memory__bytes() < 4L * 1024 * 1024) {
            throw bad("memory_bytes", "must be at least 4194304 (4 MiB), got " + c.memory__bytes());
        }
        if (!(c.cpus() >= 0.01) || c.cpus() > 1024) {
            throw bad("cpus", "must be between 0.01 and 1024, got " + c.cpus());
        }
        if (c.pids__limit() < 1) {
            throw bad("pids_limit", "must be >= 1, got " + c.pids__limit());
        }
        if (c.max__output__bytes() < 0) {
            throw bad("max_output_bytes", "must be >= 0, got " + c.max__output__bytes());
        }
        if (c.executor_concurrency_max() < 1) {
            throw bad("executor.concurrency.max", "must be >= 1, got " + c.executor_concurrency_max());
        }
        String id = c.worker__id().trim();
        if (id.isEmpty()) {
            id = defaultWorkerId(home);
        }
        return new ContainerSettings(
                socket,
                List.copyOf(images),
                pull,
                Set.copyOf(registries),
                List.copyOf(mounts),
                network,
                c.memory__bytes(),
                Math.round(c.cpus() * 1e9),
                c.pids__limit(),
                c.read__only__rootfs(),
                c.max__output__bytes(),
                id);
    }

    /**
     * @return why this host path may never be mounted, or null. The engine's socket is compared by the file
     * it is (its path with symbolic links followed), not by the text of docker_host: through a symlinked
     * folder, the real folder holding the socket is still that folder.
     */
    static String forbidden(Path p, Path socket) {
        if (p.getNameCount() == 0) {
            return "is the host's root: a container would see (and, read-write, change) everything";
        }
        Path realSocket;
        try {
            realSocket = socket.toRealPath();
        } catch (java.io.IOException e) {
            realSocket = socket; // no engine there yet: its path as written
        }
        for (Path s : List.of(socket, realSocket)) {
            if (s.startsWith(p)) {
                return "is or holds the engine's socket " + socket + ": whoever reaches it controls the host";
            }
        }
        for (Path never : NEVER_MOUNTED) {
            if (p.startsWith(never) || never.startsWith(p)) {
                return "is or holds " + never + ", which is never mounted";
            }
        }
        return null;
    }

    private static String defaultWorkerId(String home) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + (home != null ? home : System.getProperty("user.dir", ""));
    }

    /** @return whether the image may run: an exact name, or a pattern's prefix */
    boolean allows(String image) {
        for (String allowed : allowedImages) {
            if (allowed.endsWith("*")
                    ? image.startsWith(allowed.substring(0, allowed.length() - 1))
                    : image.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The registry an image name names: its first part when that is a host. Null for a short name
     * (busybox:1.36, team/tool): which registry an engine would ask for it depends on the engine's own
     * settings, so a short name is never pulled (the same stand as Podman's enforcing short-name mode).
     */
    static String registryOf(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static IllegalArgumentException bad(String key, String problem) {
        return new IllegalArgumentException("configuration " + ContainerConfig.PID + ", " + key + ": " + problem);
    }
}
