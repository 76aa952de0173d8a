package dev.ferry.executor.jdbc.internal;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value JdbcConfig#PID} that config.yaml's bridge asks before applying a file: the one the component applies. */
@Component
@ConfigurationPid(JdbcConfig.PID)
@ExecutorType("jdbc")
public final class JdbcConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> JdbcSettings.from(Configs.read(JdbcConfig.class, JdbcConfig.PID, properties)));
    }
}
