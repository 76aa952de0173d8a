package dev.ferry.worker.internal.logging;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value LoggingConfig#PID} that config.yaml's bridge asks before applying a file: the one LogLevels applies. */
@Component
@ConfigurationPid(LoggingConfig.PID)
public final class LoggingConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> LogLevels.parse(Configs.read(LoggingConfig.class, LoggingConfig.PID, properties)));
    }
}
