package dev.ferry.testing.osgi;

import dev.ferry.testing.Await;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A configuration a test sets, waited for until it took effect: DS republishes a component's configuration as
 * the properties of its service once the component took it, so a service carrying every value says it did.
 *
 * <pre>
 * Configurations.apply(context, configAdmin, "dev.ferry.registry", "(objectClass=…ExecutorRegistry)", values, within);
 * </pre>
 */
public final class Configurations {
    private Configurations() {}

    /**
     * Replaces the configuration of {@code pid} with {@code values} and waits until a service matching
     * {@code serviceFilter} carries them all.
     *
     * @throws AssertionError when none did in time
     */
    public static void apply(
            BundleContext context,
            ConfigurationAdmin configAdmin,
            String pid,
            String serviceFilter,
            Map<String, Object> values,
            Duration within)
            throws Exception {
        configAdmin.getConfiguration(pid, "?").update(new Hashtable<>(values));
        Await.until(pid + " applied with " + values, within, () -> carries(context, serviceFilter, values));
    }

    private static boolean carries(BundleContext context, String filter, Map<String, Object> values)
            throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
        if (refs == null) {
            return false;
        }
        for (ServiceReference<?> ref : refs) {
            if (values.entrySet().stream()
                    .allMatch(e -> Objects.deepEquals(e.getValue(), ref.getProperty(e.getKey())))) {
                return true;
            }
        }
        return false;
    }
}
