package dev.ferry.executor.http.internal;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value HttpConfig#PID} that config.yaml's bridge asks before applying a file: the one the component applies. */
@Component
@ConfigurationPid(HttpConfig.PID)
@ExecutorType("http")
public final class HttpConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> HttpSettings.from(Configs.read(HttpConfig.class, HttpConfig.PID, properties)));
    }
}
