package dev.ferry.executor.command.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

// Method names use "__" so the keys are snake_case (the seed's config names); the DS name
// mapping turns "__" into "_" and "_" into ".".
@ObjectClassDefinition(
        id = CommandConfig.PID,
        name = "Ferry command executor",
        description = "Runs programs for remote callers: which programs, with which environment, for how long.")
@interface CommandConfig {
    String PID = "dev.ferry.executor.command";

    /** The limit in force when no configuration sets one: also a property of the executor service, where the registry reads it. */
    int DEFAULT_CONCURRENCY = 64;
    /** Likewise for the longest deadline. */
    double DEFAULT_TIMEOUT_MAX_SECONDS = 3600;

    @AttributeDefinition(
            name = "Allowed commands",
            required = false,
            description = "When non-empty, only these programs run. Names (echo) or absolute paths (/usr/bin/echo);"
                    + " matched on the program as resolved through the worker's PATH, symlinks followed.")
    @dev.ferry.support.AllowList
    String[] allowed__commands() default {};

    @AttributeDefinition(
            name = "Blocked commands",
            required = false,
            description = "These programs never run, whatever the allowlist says. Same matching as allowed_commands.")
    String[] blocked__commands() default {};

    @AttributeDefinition(
            name = "Environment",
            description = "What the child's environment starts from, before the payload's env is added.",
            options = {
                @Option(value = "filtered", label = "The worker's environment minus env_deny"),
                @Option(
                        value = "clean",
                        label = "Only PATH, HOME, LANG, LC_ALL, TZ and TMPDIR from the worker, minus env_deny")
            })
    String environment() default "filtered";

    @AttributeDefinition(
            name = "Denied environment variables",
            required = false,
            description = "Names (with * as a wildcard) that never reach a child and that a payload may not set.")
    String[] env__deny() default {
        "LD_*",
        "DYLD_*",
        "*_TOKEN",
        "*_SECRET",
        "*_SECRETS",
        "*_PASSWORD",
        "*_PASSWD",
        "*PASSWORD",
        "*_API_KEY",
        "*_ACCESS_KEY",
        "*_PRIVATE_KEY",
        "*_CREDENTIALS",
        "AWS_*",
        "AZURE_*",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "SSH_AUTH_SOCK",
        "KUBECONFIG",
        "BASH_ENV",
        "ENV",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "PYTHONSTARTUP",
        "PERL5OPT",
        "NODE_OPTIONS"
    };

    @AttributeDefinition(
            name = "Maximum output (bytes)",
            description = "Cap of stdout and of stderr, each. The head is kept; the rest is read and dropped, and the"
                    + " result is flagged truncated.",
            min = "0")
    int max__output__bytes() default 1024 * 1024;

    @AttributeDefinition(
            name = "Kill grace (ms)",
            description = "On timeout or cancel the process tree gets SIGTERM, then SIGKILL after this long.",
            min = "0")
    long kill__grace__ms() default 2000;

    @AttributeDefinition(
            name = "Concurrency",
            description = "Commands that may run at once; the registry rejects more as over capacity.",
            min = "1")
    int executor_concurrency_max() default DEFAULT_CONCURRENCY;

    @AttributeDefinition(
            name = "Maximum timeout (seconds)",
            description = "No command runs longer than this.",
            min = "0.001")
    double executor_timeout_max_seconds() default DEFAULT_TIMEOUT_MAX_SECONDS;

    @AttributeDefinition(
            name = "Sandbox",
            description = "Run programs inside bubblewrap: read-only root, private /tmp, no network, only the"
                    + " working directory writable. With 'bwrap' set and bwrap missing, commands fail and the health"
                    + " check says why.",
            options = {@Option(value = "none", label = "No sandbox"), @Option(value = "bwrap", label = "bubblewrap")})
    String sandbox() default "none";

    @AttributeDefinition(name = "Sandbox network", description = "Let sandboxed programs use the network.")
    boolean sandbox__network() default false;

    @AttributeDefinition(
            name = "Process isolation",
            description = "How every process a task starts is found and ended with it. 'auto': each program runs as the"
                    + " first process of its own PID namespace (util-linux unshare), so when it ends, or its task times out"
                    + " or is cancelled, the kernel ends every process it left behind, daemons that detached and scrubbed"
                    + " their environment included; falls back to 'none' where namespaces cannot be made, and health says so."
                    + " 'pid_namespace': the same, and commands fail where it is not possible. 'none': processes are found"
                    + " through the process tree and a marker in their environment.",
            options = {
                @Option(value = "auto", label = "PID namespace where possible"),
                @Option(value = "pid_namespace", label = "PID namespace, required"),
                @Option(value = "none", label = "Process tree and environment marker only")
            })
    String isolation() default "auto";

    @AttributeDefinition(
            name = "Run as user",
            required = false,
            description = "When set, programs run as this user (and its primary group, no supplementary groups, no new"
                    + " privileges) through setpriv, so they cannot read the worker's own files, environment or memory."
                    + " Needs the worker to run as root.")
    String run__as__user() default "";
}
