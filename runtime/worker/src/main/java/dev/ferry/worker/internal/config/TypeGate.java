package dev.ferry.worker.internal.config;

import dev.ferry.executor.api.Executor;
import dev.ferry.support.Configs;
import dev.ferry.worker.internal.config.ConfigYaml.Parsed;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Which types config.yaml lets the registry serve, asked on every task (a read of volatile fields): none while
 * a file refused since the start holds the worker, not those it switched off ({@code enabled: false}), and not,
 * for the few milliseconds it takes, a type whose settings from the file have not reached its service yet.
 * Written only by the bridge's apply (under the bridge's lock).
 */
final class TypeGate {
    private final BundleContext context;
    private final CmLookup lookup;
    private final Path file;
    private volatile Map<String, String> off = Map.of();
    private volatile String hold;
    /** Types whose config.yaml settings have not reached their service since the start; see awaitArrival. */
    private volatile Map<String, String> arriving = Map.of();

    private ServiceListener arrivalListener;

    TypeGate(CmLookup lookup, Path file) {
        this.context = lookup.context();
        this.lookup = lookup;
        this.file = file;
    }

    Optional<String> off(String type) {
        String h = hold;
        if (h != null) {
            return Optional.of(h);
        }
        String why = off.get(type);
        return Optional.ofNullable(why != null ? why : arriving.get(type));
    }

    /** @return why every task is refused now (a file refused since the start), or null */
    String hold() {
        return hold;
    }

    /** Every task is refused with this until a file is applied. */
    void hold(String why) {
        hold = why;
    }

    /**
     * A file was applied: the types it switched off are off, the others on; after a start (or a hold), each
     * type it configures waits for its settings to arrive.
     *
     * @return the types switched off, with why
     */
    Map<String, String> applied(Parsed parsed) {
        Map<String, String> nowOff = new HashMap<>();
        parsed.switches().forEach((type, s) -> {
            if (!s.enabled()) {
                nowOff.put(
                        type,
                        "type '" + type + "' is disabled in config.yaml (" + file + " line " + s.line()
                                + ": enabled: false); set enabled: true there to serve it again");
            }
        });
        off = Map.copyOf(nowOff);
        return nowOff;
    }

    void released() {
        hold = null;
    }

    /**
     * At start (or when a file refused since the start is fixed), Configuration Admin hands the file's
     * settings to the executors on its own thread, after this bridge wrote them: until a type's service
     * carries them (DS adds a configuration's properties to the service's), it would run tasks with its
     * defaults, which may allow more. Its tasks are refused until then, a matter of milliseconds.
     */
    void awaitArrival(Parsed parsed) {
        Map<String, String> waiting = new ConcurrentHashMap<>();
        parsed.executors().forEach((type, s) -> {
            // a type whose component is not active yet gets the settings when it activates (DS reads an existing
            // configuration then): only one already serving can run a task with its defaults in between
            if (!s.entries().isEmpty() && lookup.served(type)) {
                waiting.put(
                        type,
                        "type '" + type + "' is starting: the settings " + file + " gives it (line " + s.line()
                                + ") have not reached it yet; retry in a moment");
            }
        });
        close();
        arriving = waiting;
        if (waiting.isEmpty()) {
            return;
        }
        ServiceListener listener = event -> {
            ServiceReference<?> ref = event.getServiceReference();
            Object type = ref.getProperty(Executor.TYPE);
            if (type != null
                    && ref.getProperty(Configs.ORIGIN) != null
                    && event.getType() != ServiceEvent.UNREGISTERING) {
                waiting.remove(type.toString());
            }
        };
        try {
            context.addServiceListener(listener, "(" + Constants.OBJECTCLASS + "=" + Executor.class.getName() + ")");
            for (ServiceReference<Executor> ref :
                    context.getServiceReferences(Executor.class, "(" + Configs.ORIGIN + "=*)")) {
                waiting.remove(String.valueOf(ref.getProperty(Executor.TYPE)));
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        arrivalListener = listener;
    }

    void close() {
        if (arrivalListener != null) {
            context.removeServiceListener(arrivalListener);
            arrivalListener = null;
        }
    }
}
