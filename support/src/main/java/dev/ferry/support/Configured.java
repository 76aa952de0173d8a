package dev.ferry.support;

import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A component's checked settings under the one rule for refused configuration: a refused
 * configuration never falls back to something more permissive. Refused at start, there are no
 * settings (the component serves nothing and says why); refused while running, the previous
 * settings stay, and {@link #refused()} says why until a good configuration arrives. Every Ferry
 * component reads its configuration through one of these (the executors, the registry, the gRPC API,
 * the metrics endpoint, the audit trail, the log levels), so a refusal is handled and said one way.
 *
 * @param <S> the settings, built by a reader that throws {@link IllegalArgumentException} naming
 *     the file and key (as {@link Configs#read} and the components' own checks do)
 */
public final class Configured<S> {
    private final Logger log;
    private final String what;
    private final String idle;
    private volatile S settings;
    private volatile String refused;

    /**
     * @param log the component's logger, which reports refusals
     * @param what what is served, for messages, e.g. {@code "the command type"}
     * @param settings the settings to start with (plain-values constructors), or null
     */
    public Configured(Logger log, String what, S settings) {
        this(log, what, "runs no task", settings);
    }

    /**
     * @param log the component's logger, which reports refusals
     * @param what what is served, for messages, e.g. {@code "the metrics endpoint"}
     * @param idle what it does without settings, e.g. {@code "serves nothing"}
     * @param settings the settings to start with (plain-values constructors), or null
     */
    public Configured(Logger log, String what, String idle, S settings) {
        this.log = log;
        this.what = what;
        this.idle = idle;
        this.settings = settings;
    }

    /** At activation: reads the configuration; a refused one leaves no settings, logged as such. */
    public Configured<S> start(Supplier<S> reader) {
        try {
            settings = reader.get();
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
            log.warn("{}; {} {} until the configuration is fixed", refused, what, idle);
        }
        return this;
    }

    /** On a changed configuration: the new settings, or, refused, the previous ones. @return whether it applied */
    public boolean update(Supplier<S> reader) {
        S next;
        try {
            next = reader.get();
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
            log.warn(
                    "{}; {}", refused, settings == null ? what + " still " + idle : "the previous configuration stays");
            return false;
        }
        settings = next;
        refused = null;
        return true;
    }

    /** @return the settings in force, or null when the configuration was refused at start */
    public S get() {
        return settings;
    }

    /** @return why the latest configuration was refused, or null */
    public String refused() {
        return refused;
    }

    /** @return what a task is told while there are no settings */
    public String notServing() {
        return what + " " + idle + ": its " + refused;
    }

    /** @return a note for a healthy component's health: the refusal still pending, or null */
    public String pendingNote() {
        String why = refused;
        return why == null ? null : why + ", the previous configuration stays";
    }
}
