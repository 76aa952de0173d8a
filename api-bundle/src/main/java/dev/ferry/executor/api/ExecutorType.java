package dev.ferry.executor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for an {@link Executor} component: sets the {@value Executor#TYPE}
 * service property.
 *
 * <pre>
 * &#64;Component
 * &#64;ExecutorType("hello")
 * public class HelloExecutor implements Executor { … }
 * </pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ExecutorType {
    /** @return the task type the executor serves, e.g. {@code "command"} */
    String value();
}
