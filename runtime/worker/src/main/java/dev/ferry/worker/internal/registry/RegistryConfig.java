package dev.ferry.worker.internal.registry;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

// Method names use a double underscore so that the configuration keys are snake_case, like the
// rest of Ferry's configuration (the DS name mapping turns "__" into "_").
@ObjectClassDefinition(
        id = RegistryConfig.PID,
        name = "Ferry executor registry",
        description = "How the worker runs tasks: deadlines, concurrency, and hot-swap behaviour.")
@interface RegistryConfig {
    String PID = "dev.ferry.registry";

    @AttributeDefinition(
            name = "Default timeout (seconds)",
            description = "Deadline of a task whose request gives none.",
            min = "0.001")
    double default__timeout__seconds() default 300;

    @AttributeDefinition(
            name = "Maximum timeout (seconds)",
            description = "No task runs longer than this, whatever its request asks.",
            min = "0.001")
    double max__timeout__seconds() default 3600;

    @AttributeDefinition(
            name = "Concurrency per type",
            description = "Tasks of one type that may run at once; more are rejected as over capacity"
                    + " (or wait, see queue_wait_ms).",
            min = "1")
    int max__concurrency() default 64;

    @AttributeDefinition(
            name = "Concurrency overrides",
            description = "Per-type limits as type=N, e.g. command=8.",
            required = false)
    String[] type__concurrency() default {};

    @AttributeDefinition(
            name = "Queue wait (ms)",
            description = "How long a task waits for a free slot of its type before it is rejected as over"
                    + " capacity. 0 rejects at once. A waiting task is parked, first come first served, and holds"
                    + " no thread.",
            min = "0")
    long queue__wait__ms() default 0;

    @AttributeDefinition(
            name = "Absent-type grace (ms)",
            description = "A task whose type has just left (an executor being updated) waits up to this long"
                    + " for it to come back instead of failing.",
            min = "0")
    long absent__grace__ms() default 10000;

    @AttributeDefinition(
            name = "Drain timeout (ms)",
            description = "How long an executor that is being updated or removed may finish its running tasks"
                    + " before it goes away.",
            min = "0")
    long drain__timeout__ms() default 30000;
}
