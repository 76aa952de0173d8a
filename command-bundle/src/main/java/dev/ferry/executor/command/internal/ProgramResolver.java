package dev.ferry.executor.command.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the program a task names: a name is looked up on the worker's own PATH (never the
 * payload's), a path is taken relative to the working directory and normalised.
 */
final class ProgramResolver {
    private ProgramResolver() {}

    static final class NotFound extends Exception {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }

    /**
     * Names looked up on PATH, remembered for a second as a shell's command hash is: a lookup
     * stats every PATH folder and follows every symlink, which is a measurable part of a short
     * command's cost. A program installed or replaced is seen within that second.
     */
    private static final long CACHE_NANOS = 1_000_000_000L;

    private static final java.util.concurrent.ConcurrentHashMap<String, Cached> BY_NAME =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Cached {
        final ProgramPolicy.Program program;
        final long at;

        Cached(ProgramPolicy.Program program, long at) {
            this.program = program;
            this.at = at;
        }
    }

    static ProgramPolicy.Program resolve(String command, Path workingDir) throws NotFound {
        if (command.indexOf('/') < 0) {
            long now = System.nanoTime();
            Cached c = BY_NAME.get(command);
            if (c != null && now - c.at < CACHE_NANOS) {
                return c.program;
            }
            ProgramPolicy.Program p = lookUp(command, workingDir);
            if (BY_NAME.size() > 1024) {
                BY_NAME.clear();
            }
            BY_NAME.put(command, new Cached(p, now));
            return p;
        }
        return lookUp(command, workingDir);
    }

    private static ProgramPolicy.Program lookUp(String command, Path workingDir) throws NotFound {
        Path path;
        if (command.indexOf('/') >= 0) {
            Path given = Path.of(command);
            Path base = workingDir != null ? workingDir : Path.of("").toAbsolutePath();
            path = (given.isAbsolute() ? given : base.resolve(given)).normalize();
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new NotFound("command not found: '" + command + "' (" + path
                        + (Files.exists(path) ? " is not an executable file)" : " does not exist)"));
            }
        } else {
            path = searchPath(command);
            if (path == null) {
                throw new NotFound("command not found: '" + command + "' is not on the worker's PATH ("
                        + System.getenv("PATH") + ")");
            }
        }
        try {
            return new ProgramPolicy.Program(command, path);
        } catch (IOException e) {
            throw new NotFound("command not found: '" + command + "' (" + e.getMessage() + ")");
        }
    }

    /** @return the first executable file of that name on the worker's PATH, or null */
    static Path searchPath(String name) {
        String pathVar = System.getenv("PATH");
        if (pathVar == null || pathVar.isEmpty()) {
            pathVar = "/usr/local/bin:/usr/bin:/bin";
        }
        for (String dir : pathVar.split(File.pathSeparator)) {
            if (dir.isEmpty() || !dir.startsWith("/")) {
                continue; // a relative PATH entry would make the answer depend on the working directory
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.normalize();
            }
        }
        return null;
    }
}
