package dev.ferry.executor.jdbc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

// One configuration per datasource (a factory configuration). "__" in a method name is "_" in the key.
@ObjectClassDefinition(
        id = DataSourceConfig.FACTORY_PID,
        name = "Ferry datasource",
        description = "A named, pooled database connection that jdbc tasks address by name.")
@interface DataSourceConfig {
    String FACTORY_PID = "dev.ferry.datasource";

    @AttributeDefinition(name = "Name", description = "What tasks put in their datasource field, e.g. default.")
    String name();

    @AttributeDefinition(
            name = "Driver",
            description = "The JDBC driver class; its bundle must register an OSGi DataSourceFactory"
                    + " (org.h2.Driver and org.postgresql.Driver ship with the worker).")
    String driver() default "org.h2.Driver";

    @AttributeDefinition(name = "URL", description = "The JDBC URL, e.g. jdbc:postgresql://db.example:5432/app")
    String url();

    @AttributeDefinition(name = "User", required = false)
    String user() default "";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(
            name = "Password file",
            required = false,
            description = "A file holding the password (its first line), instead of password.")
    String password__file() default "";

    @AttributeDefinition(name = "Pool size", min = "1", description = "Connections kept open at most.")
    int pool__size() default 8;

    @AttributeDefinition(
            name = "Read-only",
            description = "Only queries run: other statements are refused before they execute, and each task's"
                    + " transaction is rolled back.")
    boolean read__only() default true;

    @AttributeDefinition(
            name = "Statement timeout (seconds)",
            min = "1",
            description = "Longest a statement may run; a task may ask for less.")
    int statement__timeout__seconds() default 30;

    @AttributeDefinition(
            name = "Maximum rows",
            min = "1",
            description = "Rows returned at most; a task may ask for fewer.")
    int max__rows() default 1000;

    @AttributeDefinition(
            name = "Maximum result size (bytes)",
            min = "1",
            description = "Rows stop being added once the JSON output reaches this size.")
    int max__result__bytes() default 2 * 1024 * 1024; // a reply with it fits a default gRPC client (4 MiB)

    @AttributeDefinition(
            name = "Admin user",
            required = false,
            description = "Used once, when the pool starts, to run init_sql; tasks never use it.")
    String admin__user() default "";

    @AttributeDefinition(name = "Admin password", type = AttributeType.PASSWORD, required = false)
    String admin__password() default "";

    @AttributeDefinition(
            name = "Initialisation SQL",
            required = false,
            description = "Statements (separated by ;) run as the admin user when the pool starts, e.g. to create the"
                    + " task user of an embedded database.")
    String init__sql() default "";

    @AttributeDefinition(
            name = "Allow multiple statements",
            description = "Let one task run several statements separated by ';' (only on a writable datasource). Off: a"
                    + " task's text must be one statement, so nothing can follow what was checked.")
    boolean allow__multiple__statements() default false;
}
