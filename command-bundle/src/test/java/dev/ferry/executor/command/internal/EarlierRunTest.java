package dev.ferry.executor.command.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security round 2, #19: processes of tasks that an earlier run of the worker left behind (it was killed with
 * SIGKILL) are killed when the command executor starts again in the same folder; this run's own tasks (a hot
 * swap keeps the JVM), another worker's, and those of another JVM still running in the same folder are not.
 */
class EarlierRunTest {
    @Test
    void processesAnEarlierRunLeftAreKilledAndNoOthers(
            @TempDir java.nio.file.Path home, @TempDir java.nio.file.Path other) throws Exception {
        String workerMark = Integer.toHexString(home.toString().hashCode()) + "-";
        ProcessHandle self = ProcessHandle.current();
        String thisRun = workerMark + Long.toHexString(self.pid()) + "."
                + Long.toHexString(self.info()
                        .startInstant()
                        .map(java.time.Instant::toEpochMilli)
                        .orElse(0L)) + "-";
        Process earlier = sleeper(workerMark + "7fffffff.5678-abc"); // a JVM that is gone
        Process current = sleeper(thisRun + "def");
        Process elsewhere = sleeper(Integer.toHexString(other.toString().hashCode()) + "-7fffffff.5678-abc");
        // another JVM alive in the same folder (a benchmark beside a worker): its tasks are its own
        ProcessHandle init = ProcessHandle.of(1).orElseThrow();
        Process alive = sleeper(workerMark + "1."
                + Long.toHexString(init.info()
                        .startInstant()
                        .map(java.time.Instant::toEpochMilli)
                        .orElse(0L)) + "-ghi");
        CommandExecutor executor = new CommandExecutor(home.toString(), Map.of());
        try {
            assertThat(earlier.waitFor(10, TimeUnit.SECONDS))
                    .as("the earlier run's task is gone")
                    .isTrue();
            assertThat(current.isAlive()).as("this run's task").isTrue();
            assertThat(elsewhere.isAlive()).as("another worker's task").isTrue();
            assertThat(alive.isAlive())
                    .as("a task of a JVM still running in the same folder")
                    .isTrue();
        } finally {
            alive.destroyForcibly();
            executor.deactivate();
            current.destroyForcibly();
            elsewhere.destroyForcibly();
            earlier.destroyForcibly();
        }
    }

    private static Process sleeper(String marker) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "300");
        pb.environment().put(ProcessTree.MARKER_VARIABLE, marker);
        Process p = pb.start();
        // its environment is readable once exec is done
        dev.ferry.testing.Await.until(
                "the sleeper shows its marker",
                Duration.ofSeconds(10),
                () -> !ProcessTree.marked(marker).isEmpty());
        return p;
    }
}
