package dev.ferry.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a configuration key that is an allow list whose absence means "no restriction": such a key that is
 * set but holds nothing ({@code allowed_commands =} in a {@code .cfg} file, {@code allowed_commands: []} or
 * {@code [""]} in config.yaml) is refused by {@link Configs#read}, never read as "everything". Absent, the
 * key keeps its documented meaning.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AllowList {}
