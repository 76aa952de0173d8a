package dev.ferry.executor.command.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The allow and block lists, matched on the program as resolved (never on the text a caller
 * sent): its absolute path, the real path behind every symlink, and the file itself (so a hard
 * link or a copy under another name of a blocked program's file is still the same file).
 *
 * <p>The two lists match differently on purpose. A blocked name ({@code rm}) catches a program of
 * that name wherever it lives and the file that name resolves to on the worker's PATH. An allowed
 * name ({@code echo}) admits only the file that name resolves to on the worker's PATH, so an
 * {@code echo} planted elsewhere is not allowed.
 */
final class ProgramPolicy {
    private final List<Rule> allowed;
    private final List<Rule> blocked;

    private ProgramPolicy(List<Rule> allowed, List<Rule> blocked) {
        this.allowed = allowed;
        this.blocked = blocked;
    }

    static ProgramPolicy of(List<String> allowed, List<String> blocked) {
        return new ProgramPolicy(rules(allowed), rules(blocked));
    }

    boolean hasAllowlist() {
        return !allowed.isEmpty();
    }

    /** @return null when the program may run, else why not (for the caller). */
    String check(Program program) {
        for (Rule r : blocked) {
            if (r.blocks(program)) {
                return "command '" + program.requested + "' (" + program.real
                        + ") is blocked by blocked_commands entry '" + r.text + "'";
            }
        }
        if (!allowed.isEmpty()) {
            for (Rule r : allowed) {
                if (r.allows(program)) {
                    return null;
                }
            }
            return notAllowed(program.requested);
        }
        return null;
    }

    /**
     * Why a program is not allowed, in the same words whether or not it exists, where it leads or what it is:
     * with an allow list, the answer must not tell a caller which files are on the worker.
     */
    String notAllowed(String requested) {
        return "command '" + requested + "' is not in allowed_commands "
                + allowed.stream().map(r -> r.text).toList() + "; ask the operator to allow it";
    }

    /** Whether the allow list names this text as it is (then whether the program is missing may be said). */
    boolean names(String requested) {
        return allowed.stream().anyMatch(r -> r.text.equals(requested));
    }

    private static List<Rule> rules(List<String> entries) {
        List<Rule> out = new ArrayList<>();
        for (String raw : entries) {
            String text = raw.trim();
            if (text.isEmpty()) {
                continue;
            }
            if (text.indexOf('/') >= 0 && !text.startsWith("/")) {
                throw new IllegalArgumentException(
                        "'" + text + "' must be a bare name (rm) or an absolute path (/usr/bin/rm)");
            }
            out.add(new Rule(text));
        }
        return List.copyOf(out);
    }

    /** A resolved program: what was asked for, the absolute path that runs, and what it really is. */
    static final class Program {
        final String requested;
        final Path path;
        final Path real;
        final Object fileKey;

        Program(String requested, Path path) throws IOException {
            this.requested = requested;
            this.path = path;
            this.real = path.toRealPath();
            this.fileKey = fileKey(real);
        }
    }

    private static final class Rule {
        final String text;
        final boolean isPath;

        Rule(String text) {
            this.text = text;
            this.isPath = text.startsWith("/");
        }

        /**
         * The file this entry names now, resolved as a task's command is (a name through the worker's
         * PATH, with the resolver's short cache), or null when there is none.
         */
        private Program target() {
            try {
                return ProgramResolver.resolve(text, null);
            } catch (ProgramResolver.NotFound e) {
                return null;
            }
        }

        private boolean sameFile(Program p) {
            Program t = target();
            return t != null
                    && (t.path.equals(p.path)
                            || t.real.equals(p.real)
                            || (p.fileKey != null && Objects.equals(t.fileKey, p.fileKey)));
        }

        boolean blocks(Program p) {
            if (!isPath
                    && (text.equals(p.path.getFileName().toString())
                            || text.equals(p.real.getFileName().toString())
                            || text.equals(p.requested))) {
                return true;
            }
            return sameFile(p);
        }

        boolean allows(Program p) {
            return sameFile(p);
        }
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
