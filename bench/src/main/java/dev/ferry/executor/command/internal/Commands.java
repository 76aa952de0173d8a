package dev.ferry.executor.command.internal;

import dev.ferry.executor.api.Executor;
import java.util.List;

/** The command executor with its default configuration, outside OSGi, for benchmarks. */
public final class Commands {
    private Commands() {
    }

    public static Executor withDefaults() {
        return new CommandExecutor(new CommandSettings(ProgramPolicy.of(List.of(), List.of()),
                CommandSettings.EnvMode.FILTERED, List.of("LD_*", "*_TOKEN", "*_SECRET", "*_PASSWORD", "AWS_*"),
                1024 * 1024, 2000, CommandSettings.SandboxMode.NONE, false));
    }
}
