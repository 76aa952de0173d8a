package dev.ferry.worker.internal.registry;

import java.util.Optional;

/**
 * Which task types the worker's configuration switched off ({@code enabled: false} in config.yaml),
 * or why it runs none (a config.yaml refused at start). The registry asks it on every task, so an
 * answer is a read of a volatile field, nothing more. Registered by the config.yaml bridge once it
 * has applied the file it found at start: the registry serves nothing before that.
 */
public interface Switches {
    /** Every type on: for registries built without a bridge (tests, benchmarks). */
    Switches ALL_ON = type -> Optional.empty();

    /**
     * @param type a task type
     * @return empty when the type may be served; else why not, told to the caller and shown as its health
     */
    Optional<String> off(String type);
}
