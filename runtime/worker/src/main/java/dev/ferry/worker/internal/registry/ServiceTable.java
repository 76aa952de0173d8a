package dev.ferry.worker.internal.registry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;

/** Every task type seen since start, by name: a type's {@link TypeSlot} is made when its first service arrives and stays. */
final class ServiceTable {
    private final Map<String, TypeSlot> slots = new ConcurrentHashMap<>();

    /** @return the type's slot, or null when no service of it was ever seen */
    TypeSlot get(String type) {
        return slots.get(type);
    }

    /** @return the type's slot, made with {@code limit} for it when it is new */
    TypeSlot getOrAdd(String type, IntUnaryOperator limit) {
        return slots.computeIfAbsent(type, t -> new TypeSlot(t, limit.applyAsInt(0)));
    }

    /** @return the slots in the order of their type names */
    Iterable<TypeSlot> slots() {
        return new TreeMap<>(slots).values();
    }

    /** The answer to a task of a type nobody serves: the types that are served now, those switched off left out. */
    String unknownType(String type, Switches switches) {
        String served = slots.values().stream()
                .filter(s -> s.entries().length > 0 && switches.off(s.type).isEmpty())
                .map(s -> s.type)
                .sorted()
                .collect(Collectors.joining(", "));
        return "no executor serves type '" + type + "'; types served now: " + (served.isEmpty() ? "none" : served)
                + ". Install the bundle that provides it, or fix the type.";
    }
}
