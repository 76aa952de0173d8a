package dev.ferry.worker.internal.config;

import dev.ferry.support.ConfigChecks;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The checks config.yaml's bridge asks before it applies a file, one per configuration this bundle reads:
 * each with the reader its component applies.
 */
@Component(
        immediate = true,
        service = {})
public final class ConfigurationChecks {
    private final ConfigChecks checks;

    @Activate
    public ConfigurationChecks(BundleContext context) {
        checks = new ConfigChecks(context)
                .add(
                        dev.ferry.worker.internal.registry.OsgiExecutorRegistry.PID,
                        null,
                        dev.ferry.worker.internal.registry.OsgiExecutorRegistry.READER)
                .add(
                        dev.ferry.worker.internal.metrics.MetricsEndpoint.PID,
                        null,
                        dev.ferry.worker.internal.metrics.MetricsEndpoint.READER)
                .add(
                        dev.ferry.worker.internal.audit.AuditTrail.PID,
                        null,
                        dev.ferry.worker.internal.audit.AuditTrail.READER)
                .add(
                        dev.ferry.worker.internal.logging.LogLevels.PID,
                        null,
                        dev.ferry.worker.internal.logging.LogLevels.READER);
    }

    @Deactivate
    void deactivate() {
        checks.close();
    }
}
