package dev.ferry.worker.grpc.internal;

import dev.ferry.support.ConfigChecks;
import dev.ferry.support.Configs;
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
                        GrpcConfig.PID,
                        null,
                        p -> Settings.of(Configs.read(GrpcConfig.class, GrpcConfig.PID, p), context::getProperty));
    }

    @Deactivate
    void deactivate() {
        checks.close();
    }
}
