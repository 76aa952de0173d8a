package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;

/**
 * {@code true} as an {@link Interleaved} load: command tasks against the plain ProcessBuilder loop,
 * in this JVM, so with this JVM's launch mechanism (run it with VFORK to compare with the floor).
 */
final class CommandLoad {
    private CommandLoad() {}

    /** @return {plain runs/s, registry tasks/s} */
    static double[] run(int threads, long warmupMillis, long measureMillis) throws Exception {
        // the executor as its component starts without a configuration file; -Dferry.bench.isolation=none
        // measures it with that one key set, as in etc/dev.ferry.executor.command.cfg
        String isolation = System.getProperty("ferry.bench.isolation");
        ExecutorRegistry registry = Audit.registry(
                "command",
                new dev.ferry.executor.command.internal.CommandExecutor(
                        isolation == null ? java.util.Map.of() : java.util.Map.of("isolation", isolation)));
        Task task = Task.of("command", "{\"command\":\"true\"}");
        try {
            return Interleaved.run(
                    threads,
                    warmupMillis,
                    measureMillis,
                    (thread, call) -> CommandBenchmark.plain(),
                    (thread, call) -> {
                        Result r = registry.execute(task, null);
                        if (r.status() != Status.SUCCEEDED) {
                            throw new IllegalStateException("task failed: " + r);
                        }
                    });
        } finally {
            Audit.close(registry);
        }
    }
}
