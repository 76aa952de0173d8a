package dev.ferry.worker.internal.metrics;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value MetricsConfig#PID} that config.yaml's bridge asks before applying a file: the one the endpoint applies. */
@Component
@ConfigurationPid(MetricsConfig.PID)
public final class MetricsConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> MetricsSettings.from(Configs.read(MetricsConfig.class, MetricsConfig.PID, properties)));
    }
}
