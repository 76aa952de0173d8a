package dev.ferry.executor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for a {@link ConfigurationCheck} component: sets the {@value
 * ConfigurationCheck#PID} service property.
 *
 * <pre>
 * &#64;Component
 * &#64;ConfigurationPid("com.example.hello")
 * public class HelloConfigCheck implements ConfigurationCheck { … }
 * </pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ConfigurationPid {
    /** With the annotation's name, makes the property name {@code ferry.configuration.pid}. */
    String PREFIX_ = "ferry.";

    /** @return the PID (or factory PID) the component checks */
    String value();
}
