package dev.ferry.worker.internal.audit;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

// "__" in a method name is "_" in the key.
@ObjectClassDefinition(
        id = AuditConfig.PID,
        name = "Ferry audit trail",
        description =
                "One JSON line per task the worker answered: when, which task, who sent it, which executor ran it,"
                        + " how it ended, how long it took, how big its payload was. Never the payload unless payloads = true.")
@interface AuditConfig {
    String PID = "dev.ferry.audit";

    @AttributeDefinition(name = "Enabled", description = "Write the audit trail at all.")
    boolean enabled() default true;

    @AttributeDefinition(
            name = "File",
            required = false,
            description = "The file to write; empty: data/log/audit.log under the worker's home (in Karaf,"
                    + " ${karaf.data}/log/ferry-audit.log).")
    String file() default "";

    @AttributeDefinition(
            name = "Largest file (bytes)",
            min = "1024",
            description = "When the file would grow past this, it becomes FILE.1 (FILE.1 becomes FILE.2 ...) and a new"
                    + " one starts.")
    long max__file__bytes() default 10L * 1024 * 1024;

    @AttributeDefinition(
            name = "Files kept",
            min = "1",
            description = "Rotated files kept besides the current one; the oldest goes.")
    int max__files() default 5;

    @AttributeDefinition(
            name = "Payloads",
            description = "Also write each task's payload, with the values of keys that look secret (password, token,"
                    + " secret, key, authorization, credential) replaced by ***. Arguments and other values are written"
                    + " as they are: turn this on only where the trail is kept as safely as the tasks' secrets.")
    boolean payloads() default false;
}
