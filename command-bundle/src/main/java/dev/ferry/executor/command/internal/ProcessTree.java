package dev.ferry.executor.command.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Kills everything a task started. The process's descendants are found through the process
 * table, and processes that left the tree (a daemon that double-forked, re-parented to init) by
 * the task's marker: an environment variable with a token unique to the task, which a child
 * inherits (the approach of Jenkins' ProcessTreeKiller).
 */
final class ProcessTree {
    static final String MARKER_VARIABLE = "FERRY_TASK_COOKIE";
    private static final Path PROC = Path.of("/proc");

    private ProcessTree() {}

    /**
     * SIGTERM to the tree (deepest first, so parents can reap their children), then SIGKILL to
     * whatever is left after {@code graceMillis}. Blocks for up to the grace period plus a little.
     */
    static void kill(ProcessHandle root, String marker, long graceMillis) {
        terminate(members(root, marker), graceMillis, () -> members(root, marker));
    }

    /**
     * SIGTERM to the processes (in the order given, deepest last: they are signalled in reverse), then
     * SIGKILL to whatever is left after {@code graceMillis}, and to what {@code again} finds then.
     */
    static void terminate(
            Set<ProcessHandle> targets, long graceMillis, java.util.function.Supplier<Set<ProcessHandle>> again) {
        if (targets.isEmpty()) {
            return;
        }
        List<ProcessHandle> order = new ArrayList<>(targets);
        java.util.Collections.reverse(order); // descendants were added after their ancestors
        for (ProcessHandle p : order) {
            p.destroy();
        }
        for (ProcessHandle p : order) {
            if (namespaceInitIgnoringTerm(p.pid())) {
                // The first process of a PID namespace gets only the signals it handles: SIGTERM does not
                // end one that has no handler, as it would anywhere else, so it gets SIGKILL at once.
                p.destroyForcibly();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (System.nanoTime() - deadline < 0 && targets.stream().anyMatch(ProcessHandle::isAlive)) {
            sleep(10);
        }
        // anything started during the grace period is found again
        Set<ProcessHandle> left = again.get();
        left.addAll(targets);
        for (ProcessHandle p : left) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /** Whether the process is the first of its PID namespace and does not catch SIGTERM. */
    static boolean namespaceInitIgnoringTerm(long pid) {
        try {
            boolean init = false;
            boolean catchesTerm = false;
            for (String line :
                    Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring(6).trim().split("\\s+");
                    init = ids.length > 1 && ids[ids.length - 1].equals("1");
                } else if (line.startsWith("SigCgt:")) {
                    catchesTerm =
                            (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 14)) != 0; // SIGTERM = 15
                }
            }
            return init && !catchesTerm;
        } catch (IOException | RuntimeException e) {
            return false; // gone, or no /proc
        }
    }

    /** The root, its descendants and every process carrying the marker that is still alive. */
    static Set<ProcessHandle> members(ProcessHandle root, String marker) {
        Set<ProcessHandle> out = new LinkedHashSet<>();
        if (root.isAlive()) {
            out.add(root);
        }
        root.descendants().forEach(out::add);
        for (long pid : marked(marker)) {
            ProcessHandle.of(pid).ifPresent(out::add);
        }
        out.removeIf(p -> !p.isAlive() || p.pid() == ProcessHandle.current().pid());
        return out;
    }

    /** Pids of live processes whose environment holds {@code MARKER_VARIABLE=marker}. */
    static List<Long> marked(String marker) {
        return marked(Set.of(marker)).getOrDefault(marker, List.of());
    }

    /**
     * Pids of live processes whose environment holds {@code MARKER_VARIABLE=} one of the markers, by
     * marker: one pass over /proc for any number of tasks.
     */
    static java.util.Map<String, List<Long>> marked(Set<String> markers) {
        return marked(markers::contains);
    }

    /** Pids of live processes whose marker satisfies the test, by marker: one pass over /proc. */
    static java.util.Map<String, List<Long>> marked(java.util.function.Predicate<String> wanted) {
        byte[] prefix = (MARKER_VARIABLE + "=").getBytes(StandardCharsets.US_ASCII);
        java.util.Map<String, List<Long>> out = new java.util.HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    String value = value(Files.readAllBytes(dir.resolve("environ")), prefix);
                    if (value != null && wanted.test(value)) {
                        out.computeIfAbsent(value, m -> new ArrayList<>()).add(Long.parseLong(name));
                    }
                } catch (IOException | NumberFormatException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            // no /proc (not Linux): the process tree alone is used
        }
        return out;
    }

    /** The value of the NUL-separated entry that starts with {@code prefix}, or null. */
    private static String value(byte[] env, byte[] prefix) {
        outer:
        for (int i = 0; i + prefix.length <= env.length; i++) {
            if (i > 0 && env[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < prefix.length; j++) {
                if (env[i + j] != prefix[j]) {
                    continue outer;
                }
            }
            int end = i + prefix.length;
            while (end < env.length && env[end] != 0) {
                end++;
            }
            return new String(env, i + prefix.length, end - i - prefix.length, StandardCharsets.US_ASCII);
        }
        return null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
