package dev.ferry.worker.internal.logging;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        id = LoggingConfig.PID,
        name = "Ferry log levels",
        description = "Log levels of the standalone worker, changed while it runs (in Karaf, use log:set instead).")
@interface LoggingConfig {
    String PID = "dev.ferry.logging";

    @AttributeDefinition(
            name = "Level",
            required = false,
            description =
                    "The level of every logger: error, warn, info, debug or trace; empty: the launcher's --log-level.")
    String level() default "";

    @AttributeDefinition(
            name = "Levels",
            required = false,
            description = "Levels of single loggers and their children, as logger=level, e.g."
                    + " dev.ferry.executor.http=debug.")
    String[] levels() default {};
}
