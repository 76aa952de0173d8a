package dev.ferry.worker.internal.audit;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.ConfigurationPid;
import dev.ferry.support.Configs;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/** The check of {@value AuditConfig#PID} that config.yaml's bridge asks before applying a file: the one the trail applies. */
@Component
@ConfigurationPid(AuditConfig.PID)
public final class AuditConfigCheck implements ConfigurationCheck {
    @Override
    public Optional<String> check(Map<String, Object> properties) {
        return Configs.problem(() -> AuditTrail.Settings.from(Configs.read(AuditConfig.class, AuditConfig.PID, properties), null));
    }
}
