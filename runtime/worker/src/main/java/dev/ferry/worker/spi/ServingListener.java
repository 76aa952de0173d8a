package dev.ferry.worker.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when a type stops or starts taking tasks because an operator said so (executor:drain, executor:resume):
 * register it as a service (the whiteboard) and the registry calls every one. The worker's gRPC API uses it to turn
 * the type's {@code executor.<type>} health entry NOT_SERVING <em>before</em> the registry refuses the type's tasks,
 * so that clients balancing on health stop sending them first.
 *
 * <p>Called on the operator's thread, synchronously: {@link #stopsServing} before the type is refused,
 * {@link #changed} after it takes tasks again. Keep both quick; an exception is logged and the next listener is
 * called.
 */
@ConsumerType
public interface ServingListener {
    /**
     * The type stops taking new tasks when this returns (its running tasks finish).
     *
     * @param type the executor type
     */
    void stopsServing(String type);

    /**
     * The type's state changed otherwise (resumed): ask the registry's health again.
     *
     * @param type the executor type
     */
    void changed(String type);
}
