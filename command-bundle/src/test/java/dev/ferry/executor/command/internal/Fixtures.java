package dev.ferry.executor.command.internal;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.osgi.util.converter.Converters;

/** Builds executors from configuration maps, and runs tasks on them directly. */
final class Fixtures {
    private Fixtures() {}

    static CommandConfig config(Map<String, Object> values) {
        return Converters.standardConverter().convert(new HashMap<>(values)).to(CommandConfig.class);
    }

    static CommandExecutor executor(Map<String, Object> values) {
        return new CommandExecutor(config(values));
    }

    static Result run(CommandExecutor executor, String json) throws Exception {
        Task task = Task.of("command", json);
        return executor.prepare(task).execute(DirectExecutionContext.withTimeout(Duration.ofMinutes(5)));
    }
}
