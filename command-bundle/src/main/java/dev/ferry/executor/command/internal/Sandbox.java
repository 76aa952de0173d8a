package dev.ferry.executor.command.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Wraps a command in bubblewrap: read-only root, private /tmp, no network, the working directory bound. */
final class Sandbox {
    private Sandbox() {}

    /** @return the bwrap program on the worker's PATH, or null */
    static Path bwrap() {
        return ProgramResolver.searchPath("bwrap");
    }

    /** @return null when bwrap works here, else why not */
    static String problem() {
        Path bwrap = bwrap();
        if (bwrap == null) {
            return "sandbox=bwrap is configured but bwrap is not on the worker's PATH; install bubblewrap"
                    + " (Debian: apt-get install bubblewrap) or set sandbox=none";
        }
        try {
            Process p = new ProcessBuilder(
                            bwrap.toString(),
                            "--ro-bind",
                            "/",
                            "/",
                            "--unshare-pid",
                            "--unshare-net",
                            "--die-with-parent",
                            "true")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "bwrap did not answer within 10 s";
            }
            if (p.exitValue() != 0) {
                return "bwrap cannot create a sandbox here (exit " + p.exitValue() + "): "
                        + new String(out, StandardCharsets.UTF_8).trim()
                        + "; it needs user namespaces or root";
            }
            return null;
        } catch (IOException e) {
            return "bwrap cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking bwrap";
        }
    }

    static List<String> wrap(Path bwrap, List<String> argv, Path workingDir, boolean network) {
        List<String> out = new ArrayList<>(List.of(
                bwrap.toString(),
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--tmpfs",
                "/tmp",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--die-with-parent",
                "--new-session"));
        if (!network) {
            out.add("--unshare-net");
        }
        if (workingDir != null) {
            out.addAll(
                    List.of("--bind", workingDir.toString(), workingDir.toString(), "--chdir", workingDir.toString()));
        }
        out.add("--");
        out.addAll(argv);
        return out;
    }
}
