package dev.ferry.executor.jdbc.internal;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value DataSourceConfig#FACTORY_PID} that config.yaml's bridge asks before applying a file: the one the component applies. */
@Component
@ConfigurationPid(DataSourceConfig.FACTORY_PID)
public final class DataSourceConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> DataSourceSettings.from(Configs.read(DataSourceConfig.class, DataSourceConfig.FACTORY_PID, properties)));
    }
}
