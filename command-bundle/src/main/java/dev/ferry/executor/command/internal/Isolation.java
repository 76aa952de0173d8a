package dev.ferry.executor.command.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What runs in front of a program so that nothing it starts outlives its task, and so that it
 * cannot read the worker's secrets: util-linux {@code unshare} makes the program the first process
 * of a PID namespace of its own (when it exits, or is killed, the kernel kills every process left
 * in that namespace, whatever it did to its session or environment), and {@code setpriv} drops to
 * another user. The probe runs once per worker: whether namespaces can be made does not change.
 */
final class Isolation {
    enum Mode {
        AUTO,
        REQUIRED,
        NONE
    }

    private static volatile List<String> probed;
    private static volatile String unavailable = "not probed";

    private Isolation() {}

    /** The unshare command line, or an empty list when isolation is off or impossible here. */
    static List<String> prefix(Mode mode) {
        if (mode == Mode.NONE) {
            return List.of();
        }
        List<String> p = probed;
        if (p == null) {
            p = probe();
            probed = p;
        }
        return p;
    }

    private static volatile List<String> terminal;

    /**
     * What keeps a program out of the terminal's process group when the worker runs on a terminal (the
     * interactive shell): util-linux {@code setsid}, so the SIGINT of Ctrl-C, which a terminal sends to its
     * whole foreground group, reaches the worker (which cancels the task, as it says) and not the program
     * (which would die of it first and come back FAILED, exit 130). Empty without a controlling terminal (a
     * daemon, a service, Karaf in the background): then there is nothing to keep it from.
     */
    static List<String> terminalPrefix() {
        List<String> t = terminal;
        if (t == null) {
            t = List.of();
            Path setsid = ProgramResolver.searchPath("setsid");
            if (setsid != null && hasControllingTerminal()) {
                t = List.of(setsid.toString());
            }
            terminal = t;
        }
        return t;
    }

    /** Whether this process has a controlling terminal: /dev/tty opens only then. */
    private static boolean hasControllingTerminal() {
        try (java.io.FileInputStream tty = new java.io.FileInputStream("/dev/tty")) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** Why there is no PID namespace per task here. */
    static String unavailable() {
        prefix(Mode.AUTO);
        return unavailable;
    }

    private static List<String> probe() {
        Path unshare = ProgramResolver.searchPath("unshare");
        if (unshare == null) {
            unavailable = "unshare (util-linux) is not on the worker's PATH";
            return List.of();
        }
        // As root, a PID namespace needs nothing more; otherwise an unprivileged user namespace that
        // keeps the worker's own uid.
        List<List<String>> candidates = List.of(
                List.of(unshare.toString(), "--pid", "--fork", "--kill-child"),
                List.of(unshare.toString(), "--user", "--map-current-user", "--pid", "--fork", "--kill-child"));
        String last = "";
        for (List<String> c : candidates) {
            String problem = tryRun(c);
            if (problem == null) {
                return c;
            }
            last = problem;
        }
        unavailable = "this worker cannot create PID namespaces: " + last;
        return List.of();
    }

    private static String tryRun(List<String> prefix) {
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.add("true");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectInput(new java.io.File("/dev/null"))
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unshare did not answer within 10 s";
            }
            return p.exitValue() == 0 ? null : new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** setpriv to the user, its primary group, no supplementary groups and no new privileges. */
    static List<String> runAs(String user) {
        String[] entry = passwd(user);
        Path setpriv = ProgramResolver.searchPath("setpriv");
        return List.of(
                setpriv == null ? "setpriv" : setpriv.toString(),
                "--reuid=" + entry[2],
                "--regid=" + entry[3],
                "--clear-groups",
                "--no-new-privs",
                "--");
    }

    /** @return null when programs can run as that user here, else why not */
    static String runAsProblem(String user) {
        if (passwd(user) == null) {
            return "no user '" + user + "' in /etc/passwd";
        }
        if (ProgramResolver.searchPath("setpriv") == null) {
            return "setpriv (util-linux) is not on the worker's PATH";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the worker runs as " + System.getProperty("user.name")
                    + ", and only root can run programs as another"
                    + " user; remove run_as_user or start the worker as root";
        }
        return null;
    }

    private static String[] passwd(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && (f[0].equals(user) || f[2].equals(user))) {
                    return f;
                }
            }
        } catch (IOException e) {
            // no passwd file: no such user
        }
        return null;
    }
}
