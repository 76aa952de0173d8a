package dev.ferry.executor.command.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The command executor's configuration as checked plain values. */
final class CommandSettings {
    enum EnvMode {
        FILTERED,
        CLEAN
    }

    enum SandboxMode {
        NONE,
        BWRAP
    }

    final ProgramPolicy policy;
    final EnvMode envMode;
    final List<String> envDeny;
    private final Pattern envDenyPattern;
    final int maxOutputBytes;
    final long killGraceMillis;
    final SandboxMode sandbox;
    final boolean sandboxNetwork;
    /** Runs before the program: unshare (own PID namespace) and setpriv (another user), or nothing. */
    final List<String> launchPrefix;
    /** Whether each program is the first process of its own PID namespace. */
    final boolean pidNamespace;
    /** What health reports about isolation. */
    final String isolationNote;
    /** The worker's environment after the mode and the deny list: computed once, it never changes. */
    final Map<String, String> baseEnvironment;

    CommandSettings(
            ProgramPolicy policy,
            EnvMode envMode,
            List<String> envDeny,
            int maxOutputBytes,
            long killGraceMillis,
            SandboxMode sandbox,
            boolean sandboxNetwork) {
        this(
                policy,
                envMode,
                envDeny,
                maxOutputBytes,
                killGraceMillis,
                sandbox,
                sandboxNetwork,
                Isolation.Mode.AUTO,
                "");
    }

    CommandSettings(
            ProgramPolicy policy,
            EnvMode envMode,
            List<String> envDeny,
            int maxOutputBytes,
            long killGraceMillis,
            SandboxMode sandbox,
            boolean sandboxNetwork,
            Isolation.Mode isolation,
            String runAsUser) {
        this.policy = policy;
        this.envMode = envMode;
        this.envDeny = List.copyOf(envDeny);
        this.envDenyPattern = globs(envDeny);
        this.maxOutputBytes = maxOutputBytes;
        this.killGraceMillis = killGraceMillis;
        this.sandbox = sandbox;
        this.sandboxNetwork = sandboxNetwork;
        List<String> prefix = new java.util.ArrayList<>(Isolation.terminalPrefix());
        // bwrap gives the program a PID namespace of its own already
        List<String> unshare = sandbox == SandboxMode.BWRAP ? List.of() : Isolation.prefix(isolation);
        this.pidNamespace = sandbox == SandboxMode.BWRAP || !unshare.isEmpty();
        prefix.addAll(unshare);
        if (!runAsUser.isEmpty()) {
            prefix.addAll(Isolation.runAs(runAsUser));
        }
        this.launchPrefix = List.copyOf(prefix);
        this.isolationNote = sandbox == SandboxMode.BWRAP
                ? "isolation: bwrap's PID namespace"
                : !unshare.isEmpty()
                        ? "isolation: a PID namespace per task"
                        : "isolation: none (" + Isolation.unavailable()
                                + "); a daemon that detached from its task and scrubbed its"
                                + " environment can outlive it";
        Map<String, String> base = new HashMap<>(System.getenv());
        if (envMode == EnvMode.CLEAN) {
            base.keySet().retainAll(CLEAN_BASE);
        }
        base.keySet()
                .removeIf(name ->
                        envDenied(name) || SHELL_CODE_PATTERN.matcher(name).matches());
        this.baseEnvironment = Map.copyOf(base);
    }

    /**
     * Variables a shell, the loader or an interpreter reads as code, or as where code comes from: never set
     * by a task, whatever env_deny says (an allowed bash script given {@code BASH_FUNC_date%%} runs the caller's
     * function instead of date). Of the worker's own environment, which the operator set, only what a shell
     * imports as code ({@link #SHELL_CODE}: exported functions above all) is kept from a child.
     */
    static final List<String> CODE = List.of(
            "BASH_FUNC_*",
            "SHELLOPTS",
            "BASHOPTS",
            "PS4",
            "BASH_ENV",
            "ENV",
            "LD_*",
            "GCONV_PATH",
            "GLIBC_TUNABLES",
            "PYTHONPATH",
            "PYTHONHOME",
            "PYTHONSTARTUP",
            "PERL5LIB",
            "PERLLIB",
            "PERL5OPT",
            "RUBYLIB",
            "RUBYOPT",
            "NODE_OPTIONS",
            "NODE_PATH",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS");

    private static final Pattern CODE_PATTERN = globs(CODE);
    static final List<String> SHELL_CODE = List.of("BASH_FUNC_*", "SHELLOPTS", "BASHOPTS", "PS4", "BASH_ENV", "ENV");
    private static final Pattern SHELL_CODE_PATTERN = globs(SHELL_CODE);

    /** What a clean environment keeps of the worker's. */
    static final Set<String> CLEAN_BASE = Set.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "LOGNAME");

    static CommandSettings from(CommandConfig c) {
        EnvMode env = switch (c.environment().trim().toLowerCase()) {
            case "filtered" -> EnvMode.FILTERED;
            case "clean" -> EnvMode.CLEAN;
            default -> throw bad("environment", "must be 'filtered' or 'clean', got '" + c.environment() + "'");
        };
        SandboxMode sandbox = switch (c.sandbox().trim().toLowerCase()) {
            case "none", "", "off" -> SandboxMode.NONE;
            case "bwrap", "bubblewrap" -> SandboxMode.BWRAP;
            default -> throw bad("sandbox", "must be 'none' or 'bwrap', got '" + c.sandbox() + "'");
        };
        if (c.max__output__bytes() < 0) {
            throw bad("max_output_bytes", "must be >= 0, got " + c.max__output__bytes());
        }
        if (c.kill__grace__ms() < 0) {
            throw bad("kill_grace_ms", "must be >= 0, got " + c.kill__grace__ms());
        }
        if (c.executor_concurrency_max() < 1) {
            throw bad("executor.concurrency.max", "must be >= 1, got " + c.executor_concurrency_max());
        }
        if (!(c.executor_timeout_max_seconds() > 0)) {
            throw bad("executor.timeout.max.seconds", "must be > 0, got " + c.executor_timeout_max_seconds());
        }
        ProgramPolicy policy;
        try {
            policy = ProgramPolicy.of(List.of(c.allowed__commands()), List.of(c.blocked__commands()));
        } catch (IllegalArgumentException e) {
            throw bad("allowed_commands/blocked_commands", e.getMessage());
        }
        Isolation.Mode isolation = switch (c.isolation().trim().toLowerCase()) {
            case "auto", "" -> Isolation.Mode.AUTO;
            case "pid_namespace" -> Isolation.Mode.REQUIRED;
            case "none" -> Isolation.Mode.NONE;
            default -> throw bad("isolation", "must be 'auto', 'pid_namespace' or 'none', got '" + c.isolation() + "'");
        };
        if (isolation == Isolation.Mode.REQUIRED
                && sandbox != SandboxMode.BWRAP
                && Isolation.prefix(isolation).isEmpty()) {
            throw bad(
                    "isolation",
                    "pid_namespace is not possible on this worker: " + Isolation.unavailable()
                            + "; set isolation = auto or none");
        }
        String runAs = c.run__as__user().trim();
        if (!runAs.isEmpty()) {
            String problem = Isolation.runAsProblem(runAs);
            if (problem != null) {
                throw bad("run_as_user", problem);
            }
        }
        return new CommandSettings(
                policy,
                env,
                List.of(c.env__deny()),
                c.max__output__bytes(),
                c.kill__grace__ms(),
                sandbox,
                c.sandbox__network(),
                isolation,
                runAs);
    }

    boolean envDenied(String name) {
        return envDenyPattern.matcher(name).matches();
    }

    /**
     * Why a task may not set this variable, or null when it may: PATH (a program and everything it starts
     * run with the worker's PATH, so an allowed script cannot be made to run the caller's programs), the
     * variables read as code ({@link #CODE}), and whatever env_deny names.
     */
    String payloadMayNotSet(String name) {
        if (name.equals("PATH")) {
            return "may not be set by a task: programs, and the programs they start, run with the worker's PATH";
        }
        if (CODE_PATTERN.matcher(name).matches()) {
            return "may not be set by a task: a shell, the loader or an interpreter reads it as code";
        }
        if (envDenied(name)) {
            return "may not be set by a task: it matches env_deny of " + CommandConfig.PID
                    + " (loader and secret variables never reach a child)";
        }
        return null;
    }

    private static Pattern globs(List<String> globs) {
        String alternatives = globs.stream()
                .map(String::trim)
                .filter(g -> !g.isEmpty())
                .map(g -> Stream.of(g.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")))
                .collect(Collectors.joining("|"));
        return Pattern.compile(alternatives.isEmpty() ? "(?!)" : alternatives, Pattern.CASE_INSENSITIVE);
    }

    private static IllegalArgumentException bad(String key, String problem) {
        return new IllegalArgumentException("configuration " + CommandConfig.PID + ", " + key + ": " + problem);
    }
}
