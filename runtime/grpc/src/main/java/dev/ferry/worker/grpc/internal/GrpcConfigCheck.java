package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** The check of {@value GrpcConfig#PID} that config.yaml's bridge asks before applying a file: the one the server applies. */
@Component
@ConfigurationPid(GrpcConfig.PID)
public final class GrpcConfigCheck implements ConfigurationCheck {
    private final BundleContext context;

    @Activate
    public GrpcConfigCheck(BundleContext context) {
        this.context = context;
    }

    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> Settings.of(Configs.read(GrpcConfig.class, GrpcConfig.PID, properties), context::getProperty));
    }
}
