package dev.ferry.support;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.Executor;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A bundle's {@link ConfigurationCheck} services, from a table of PIDs and their readers: each reader is
 * the one its component applies (it throws {@link IllegalArgumentException} naming the file, the key and
 * the fix), so what config.yaml's bridge checks before applying a file is exactly what the component
 * will accept. One component per bundle builds the table at activation and closes it at deactivation.
 *
 * <pre>
 * checks = new ConfigChecks(context)
 *         .add(CommandConfig.PID, "command", CommandSettings::read);
 * </pre>
 */
public final class ConfigChecks implements AutoCloseable {
    private final BundleContext context;
    private final List<ServiceRegistration<ConfigurationCheck>> registered = new ArrayList<>();

    public ConfigChecks(BundleContext context) {
        this.context = context;
    }

    /**
     * @param pid the configuration PID (or factory PID) checked
     * @param type the task type whose configuration it is (config.yaml's {@code executors.<type>}), or null
     * @param reader the component's own reader of that configuration
     * @return this table, for the next entry
     */
    public ConfigChecks add(String pid, String type, Function<Map<String, Object>, ?> reader) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ConfigurationCheck.PID, pid);
        if (type != null) {
            props.put(Executor.TYPE, type);
        }
        ConfigurationCheck check = properties -> Configs.problem(() -> reader.apply(properties));
        registered.add(context.registerService(ConfigurationCheck.class, check, props));
        return this;
    }

    @Override
    public void close() {
        for (ServiceRegistration<ConfigurationCheck> r : registered) {
            try {
                r.unregister();
            } catch (IllegalStateException stopping) {
                // the bundle is stopping: the framework took it already
            }
        }
        registered.clear();
    }
}
