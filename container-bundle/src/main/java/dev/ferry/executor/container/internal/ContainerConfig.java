package dev.ferry.executor.container.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

// "__" in a method name is "_" in the key (snake_case like the rest of Ferry), "_" is ".".
@ObjectClassDefinition(
        id = ContainerConfig.PID,
        name = "Ferry container executor",
        description =
                "Runs a task in a container through the Docker Engine API (Docker, or Podman's compatible service):"
                        + " which images, which host folders, which limits.")
@interface ContainerConfig {
    String PID = "dev.ferry.executor.container";

    /** The limit in force when no configuration sets one: also a property of the executor service, where the registry reads it. */
    int DEFAULT_CONCURRENCY = 16;
    /** Likewise for the longest deadline. */
    double DEFAULT_TIMEOUT_MAX_SECONDS = 3600;

    @AttributeDefinition(
            name = "Engine",
            description = "The engine's API socket, DOCKER_HOST style: unix:///path/to/socket."
                    + " Docker's is unix:///var/run/docker.sock; Podman's is what 'podman system service' was given.")
    String docker__host() default "unix:///var/run/docker.sock";

    @AttributeDefinition(
            name = "Allowed images",
            required = false,
            description =
                    "Images tasks may run: exact names (registry.example.com/team/tool:1.2), or patterns ending in"
                            + " * (registry.example.com/team/*, busybox:*). Empty: no image runs.")
    String[] allowed__images() default {};

    @AttributeDefinition(
            name = "Pull policy",
            description = "Whether the worker fetches an image the engine does not have.",
            options = {
                @Option(value = "never", label = "Never: only images already on the host"),
                @Option(value = "if_missing", label = "When missing, from an allowed registry"),
                @Option(value = "always", label = "Before every task, from an allowed registry")
            })
    String pull() default "never";

    @AttributeDefinition(
            name = "Allowed registries",
            required = false,
            description =
                    "Registries (registry.example.com) images may be pulled from when pull is not never; only images"
                            + " whose name starts with the registry are pulled, never a short name such as busybox:1.36.")
    String[] allowed__registries() default {};

    @AttributeDefinition(
            name = "Allowed mounts",
            required = false,
            description =
                    "Host folders a task may mount, as path prefixes: /srv/data (read-only), or /srv/scratch:rw (a"
                            + " task may ask for read-write). The engine's socket, /, /proc, /sys and /dev are never mounted.")
    String[] allowed__mounts() default {};

    @AttributeDefinition(
            name = "Network",
            description = "The network of every container.",
            options = {
                @Option(value = "none", label = "None: loopback only"),
                @Option(value = "bridge", label = "The engine's default bridge network")
            })
    String network() default "none";

    @AttributeDefinition(
            name = "Memory limit (bytes)",
            description = "Memory of a container, swap included.",
            min = "4194304")
    long memory__bytes() default 256L * 1024 * 1024;

    @AttributeDefinition(name = "CPU limit", description = "CPUs a container may use (0.5: half of one).", min = "0.01")
    double cpus() default 1.0;

    @AttributeDefinition(
            name = "Process limit",
            description = "Processes and threads in a container at once.",
            min = "1")
    long pids__limit() default 256;

    @AttributeDefinition(
            name = "Read-only root filesystem",
            description = "Mount the image read-only; /tmp is a private in-memory folder (64 MiB).")
    boolean read__only__rootfs() default true;

    @AttributeDefinition(
            name = "Maximum output (bytes)",
            description =
                    "Cap of stdout and of stderr, each; the rest is read and dropped, and the result flagged truncated.",
            min = "0")
    int max__output__bytes() default 1024 * 1024;

    @AttributeDefinition(
            name = "Worker id",
            required = false,
            description =
                    "Labels this worker's containers (dev.ferry.worker), so that the ones an earlier run of it left"
                            + " behind after a crash are removed when it starts. Default: the host name and the worker's folder.")
    String worker__id() default "";

    @AttributeDefinition(
            name = "Concurrency",
            description = "Containers that may run at once; the registry rejects more as over capacity.",
            min = "1")
    int executor_concurrency_max() default DEFAULT_CONCURRENCY;

    @AttributeDefinition(
            name = "Maximum timeout (seconds)",
            description = "No container runs longer than this.",
            min = "0.001")
    double executor_timeout_max_seconds() default DEFAULT_TIMEOUT_MAX_SECONDS;
}
