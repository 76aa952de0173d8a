package dev.ferry.executor.jdbc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        id = JdbcConfig.PID,
        name = "Ferry JDBC executor",
        description = "SQL tasks: how many at once, and whether tasks may name a database by URL.")
@interface JdbcConfig {
    String PID = "dev.ferry.executor.jdbc";

    /** The limit in force when no configuration sets one: also a property of the executor service, where the registry reads it. */
    int DEFAULT_CONCURRENCY = 64;
    /** Likewise for the longest deadline. */
    double DEFAULT_TIMEOUT_MAX_SECONDS = 3600;

    @AttributeDefinition(
            name = "Allow raw DSNs",
            description = "Let tasks give {\"dsn\", \"query\"} (the seed's form) instead of a configured datasource.")
    boolean allow__raw__dsn() default false;

    @AttributeDefinition(
            name = "Raw DSN prefixes",
            required = false,
            description =
                    "With allow_raw_dsn: only URLs starting with one of these, e.g. jdbc:postgresql://reports.internal/")
    String[] raw__dsn__prefixes() default {};

    @AttributeDefinition(
            name = "Concurrency",
            min = "1",
            description = "Statements running at once; the registry rejects more as over capacity.")
    int executor_concurrency_max() default DEFAULT_CONCURRENCY;

    @AttributeDefinition(name = "Maximum timeout (seconds)", min = "0.001")
    double executor_timeout_max_seconds() default DEFAULT_TIMEOUT_MAX_SECONDS;
}
