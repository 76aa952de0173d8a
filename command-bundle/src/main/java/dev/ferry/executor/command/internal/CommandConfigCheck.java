package dev.ferry.executor.command.internal;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value CommandConfig#PID} that config.yaml's bridge asks before applying a file: the one the component applies. */
@Component
@ConfigurationPid(CommandConfig.PID)
@ExecutorType("command")
public final class CommandConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> CommandSettings.from(Configs.read(CommandConfig.class, CommandConfig.PID, properties)));
    }
}
