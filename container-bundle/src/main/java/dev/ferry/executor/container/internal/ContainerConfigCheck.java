package dev.ferry.executor.container.internal;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value ContainerConfig#PID} that config.yaml's bridge asks before applying a file: the one the component applies. */
@Component
@ConfigurationPid(ContainerConfig.PID)
@ExecutorType("container")
public final class ContainerConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> ContainerSettings.from(Configs.read(ContainerConfig.class, ContainerConfig.PID, properties)));
    }
}
