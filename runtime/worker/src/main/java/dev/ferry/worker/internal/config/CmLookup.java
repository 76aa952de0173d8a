package dev.ferry.worker.internal.config;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.Executor;
import java.io.IOException;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** What the config.yaml bridge's parts ask the framework and Configuration Admin: configurations, PIDs, served types. */
final class CmLookup {
    private final BundleContext context;
    private final ConfigurationAdmin cm;

    CmLookup(BundleContext context, ConfigurationAdmin cm) {
        this.context = context;
        this.cm = cm;
    }

    BundleContext context() {
        return context;
    }

    ConfigurationAdmin cm() {
        return cm;
    }

    /** The configuration of a PID, or of the factory PID's instance with that name (a datasource's). */
    List<Configuration> configurations(String pid, String factoryName) throws IOException, InvalidSyntaxException {
        String filter = factoryName == null
                ? "(" + Constants.SERVICE_PID + "=" + escaped(pid) + ")"
                : "(&(service.factoryPid=" + escaped(pid) + ")(name=" + escaped(factoryName) + "))";
        Configuration[] found = cm.listConfigurations(filter);
        return found == null ? List.of() : List.of(found);
    }

    /** A type's configuration PID: the one its check names, else Ferry's convention. */
    String pidOf(String type) {
        try {
            for (ServiceReference<ConfigurationCheck> ref :
                    context.getServiceReferences(ConfigurationCheck.class, typeFilter(type))) {
                Object pid = ref.getProperty(ConfigurationCheck.PID);
                if (pid != null) {
                    return pid.toString();
                }
            }
        } catch (InvalidSyntaxException e) {
            // cannot happen: the type is escaped; the convention below
        }
        return "dev.ferry.executor." + type;
    }

    boolean served(String type) {
        try {
            return !context.getServiceReferences(Executor.class, typeFilter(type))
                    .isEmpty();
        } catch (InvalidSyntaxException e) {
            return false; // cannot happen: the type is escaped
        }
    }

    static String typeFilter(String type) {
        return "(" + Executor.TYPE + "=" + escaped(type) + ")";
    }

    /** A value as a filter holds it literally (RFC 1960: a backslash before each backslash, parenthesis and star). */
    static String escaped(String value) {
        return value.replaceAll("([\\\\()*])", "\\\\$1");
    }
}
