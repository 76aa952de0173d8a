package dev.ferry.worker.internal.registry;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor services by type, and their coming and going: selection order, the drain of a
 * leaving service, and waking the tasks parked for a type's services to change.
 */
final class ServiceTable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceTable.class);

    private final Map<String, TypeSlot> slots = new ConcurrentHashMap<>();
    private volatile RegistrySettings settings;
    /** The watchdog, which knows every running task: those an executor leaves behind past its drain are stopped there. */
    private final Deadlines deadlines;

    ServiceTable(RegistrySettings settings, Deadlines deadlines) {
        this.settings = settings;
        this.deadlines = deadlines;
    }

    RegistrySettings settings() {
        return settings;
    }

    void update(RegistrySettings next) {
        settings = next;
        for (TypeSlot slot : slots.values()) {
            applyLimit(slot);
        }
    }

    /** A type's limit: the registry's for it, or the serving executor's own when that is lower. */
    private void applyLimit(TypeSlot slot) {
        ServiceEntry[] entries = slot.entries();
        int own = entries.length > 0 ? entries[0].maxConcurrency : Integer.MAX_VALUE;
        slot.setLimit(Math.min(settings.concurrencyOf(slot.type), own));
    }

    TypeSlot get(String type) {
        return slots.get(type);
    }

    Iterable<TypeSlot> slots() {
        return new TreeMap<>(slots).values();
    }

    void add(ServiceEntry entry) {
        TypeSlot slot = slots.computeIfAbsent(entry.type, t -> new TypeSlot(t, settings.concurrencyOf(t)));
        slot.add(entry);
        slot.stats.arrived.increment();
        applyLimit(slot);
        wake(slot);
        LOG.info("Executor for type '{}' is available: {}", entry.type, entry);
    }

    void modified(ServiceEntry entry) {
        TypeSlot slot = slots.get(entry.type);
        if (slot != null) {
            slot.resort();
            applyLimit(slot);
        }
    }

    /**
     * Removes a service: new tasks go elsewhere (or wait for the type to come back), running tasks
     * get a bounded drain before the service object is released.
     */
    void remove(ServiceEntry entry) {
        TypeSlot slot = slots.get(entry.type);
        if (slot == null) {
            return;
        }
        slot.drainStarted();
        long drainStart = System.nanoTime();
        try {
            slot.remove(entry);
            applyLimit(slot);
            int left = entry.drain(settings.drainTimeoutNanos(), () -> wake(slot));
            if (left > 0) {
                int stopped = deadlines.stopAll(entry, "its executor " + entry.executedBy + " went away and the drain"
                        + " timeout passed (drain_timeout_ms " + settings.drainTimeoutNanos() / 1_000_000 + " in "
                        + RegistryConfig.PID + ")");
                LOG.warn("Executor {} went away with {} task(s) still running after the drain timeout: {} stopped"
                        + " (answered CANCELLED, their processes or statements ended); raise drain_timeout_ms in {} to let"
                        + " long tasks finish", entry, left, stopped, RegistryConfig.PID);
            } else {
                LOG.info("Executor for type '{}' removed: {}", entry.type, entry);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            slot.stats.departed.increment();
            slot.stats.drainNanos.add(System.nanoTime() - drainStart);
            slot.drainEnded();
        }
    }

    private static void wake(TypeSlot slot) {
        List<Waiter> parked = slot.takeArrivals();
        for (Waiter w : parked) {
            w.wake();
        }
    }

    /** The types switched off (config.yaml), left out of the types an unknown type's answer lists. */
    private volatile Switches switches = Switches.ALL_ON;

    void switches(Switches switches) {
        this.switches = switches;
    }

    String unknownType(String type) {
        Switches off = switches;
        String served = slots.values().stream().filter(s -> s.entries().length > 0 && off.off(s.type) == null).map(s -> s.type)
                .sorted()
                .collect(Collectors.joining(", "));
        return "no executor serves type '" + type + "'; types served now: " + (served.isEmpty() ? "none" : served)
                + ". Install the bundle that provides it, or fix the type.";
    }
}
