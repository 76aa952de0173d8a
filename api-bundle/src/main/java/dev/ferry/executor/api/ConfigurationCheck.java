package dev.ferry.executor.api;

import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks a component's configuration without applying it, so that a whole configuration file (the
 * worker's {@code config.yaml}) is refused before any part of it takes effect: the worker asks the
 * check of every configuration the file sets, and applies the file only when none objects.
 *
 * <p>Registered as an OSGi service with the service property {@value #PID} naming the configuration
 * PID (or factory PID) it checks, and, for an executor's own configuration, {@value Executor#TYPE}
 * naming the task type, so that {@code config.yaml}'s {@code executors.<type>} section finds the PID.
 * The check must be the same one the component applies to a configuration it receives, and must
 * have no side effects. It may be called on any thread, at any time, also while the component it
 * checks is not active.
 *
 * <pre>
 * &#64;Component
 * &#64;ConfigurationPid(HelloConfig.PID)
 * &#64;ExecutorType("hello")
 * public class HelloConfigCheck implements ConfigurationCheck {
 *     public Optional&lt;String&gt; check(Map&lt;String, Object&gt; properties) {
 *         Object greeting = properties.get("greeting");
 *         return greeting == null || greeting instanceof String ? Optional.empty()
 *                 : Optional.of("'greeting' must be a string");
 *     }
 * }
 * </pre>
 */
@ConsumerType
public interface ConfigurationCheck {
    /** The service property naming the PID (or factory PID) this service checks. */
    String PID = "ferry.configuration.pid";

    /**
     * @param properties the configuration as Configuration Admin would deliver it: strings, numbers,
     *     booleans and string arrays, keyed by property name
     * @return empty when the component would take this configuration; else why not, naming every
     *     key that is wrong, the problem, and what would be accepted
     */
    Optional<String> check(Map<String, Object> properties);
}
