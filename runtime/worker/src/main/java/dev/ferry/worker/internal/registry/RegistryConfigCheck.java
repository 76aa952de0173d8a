package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value RegistryConfig#PID} that config.yaml's bridge asks before applying a file: the one the component applies. */
@Component
@ConfigurationPid(RegistryConfig.PID)
public final class RegistryConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> RegistrySettings.from(Configs.read(RegistryConfig.class, RegistryConfig.PID, properties)));
    }
}
