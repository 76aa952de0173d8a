package dev.ferry.worker.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.worker.grpc.v1.CapabilitiesResponse;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerServiceTest {

    private static ExecuteRequest withTimeout(long seconds, int nanos) {
        return ExecuteRequest.newBuilder()
                .setTimeout(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(seconds)
                        .setNanos(nanos))
                .build();
    }

    @Test
    void theSmallerOfTimeoutAndDeadlineWins() {
        ExecuteRequest none = ExecuteRequest.getDefaultInstance();
        assertThat(WorkerService.timeout(none, null)).isNull();
        assertThat(WorkerService.timeout(withTimeout(2, 0), null)).isEqualTo(Duration.ofSeconds(2));
        Duration fromDeadline = WorkerService.timeout(none, Deadline.after(5, TimeUnit.SECONDS));
        assertThat(fromDeadline).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
        assertThat(WorkerService.timeout(withTimeout(2, 0), Deadline.after(5, TimeUnit.SECONDS)))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(WorkerService.timeout(withTimeout(9, 0), Deadline.after(1, TimeUnit.SECONDS)))
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(WorkerService.timeout(withTimeout(Long.MAX_VALUE / 4, 0), null))
                .isEqualTo(Duration.ofDays(365));
        // a deadline already passed still gives the registry a positive timeout (it answers TIMED_OUT at once)
        assertThat(WorkerService.timeout(none, Deadline.after(-1, TimeUnit.SECONDS)))
                .isPositive();
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> WorkerService.timeout(withTimeout(0, 0), null))
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> WorkerService.timeout(withTimeout(-3, 0), null))
                .hasMessageContaining("-3s");
        assertThatThrownBy(() -> WorkerService.timeout(withTimeout(0, -5), null))
                .hasMessageContaining("-5ns");
    }

    @Test
    void resultsKeepEveryField() {
        Result r = Result.builder(dev.ferry.executor.api.Status.FAILED)
                .output("out")
                .exitCode(3)
                .error("exit code 3")
                .metadata("stderr", "boom")
                .build();
        ExecuteResponse resp = WorkerService.response("t", r);
        assertThat(resp.getTaskId()).isEqualTo("t");
        assertThat(resp.getStatus()).isEqualTo(Status.FAILED);
        assertThat(resp.getOutput().toStringUtf8()).isEqualTo("out");
        assertThat(resp.getExitCode()).isEqualTo(3);
        assertThat(resp.getError()).isEqualTo("exit code 3");
        assertThat(resp.getMetadataMap()).containsEntry("stderr", "boom");
        for (dev.ferry.executor.api.Status s : dev.ferry.executor.api.Status.values()) {
            assertThat(WorkerService.status(s).name()).isEqualTo(s.name());
        }
    }

    /** A default gRPC client refuses a message over 4 MiB: the worker never sends one, and says what it cut. */
    @Test
    void aReplyIsCutToFitTheLimitAndSaysSo() {
        int max = 4 * 1024 * 1024;
        byte[] big = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        big[0] = 'h';
        Result r = Result.builder(dev.ferry.executor.api.Status.SUCCEEDED)
                .output(big)
                .metadata("stderr", "e".repeat(1 << 20))
                .build();
        ExecuteResponse fitted = WorkerService.fit(WorkerService.response("t", r), max);
        assertThat(fitted.getSerializedSize()).isLessThanOrEqualTo(max).isGreaterThan(max - 1024);
        assertThat(fitted.getOutput().byteAt(0)).isEqualTo((byte) 'h');
        assertThat(fitted.getMetadataMap())
                .containsEntry(WorkerService.OUTPUT_TRUNCATED, "true")
                .containsEntry(WorkerService.OUTPUT_BYTES, Integer.toString(big.length))
                .containsEntry("stderr", "e".repeat(1 << 20));

        Result loud = Result.builder(dev.ferry.executor.api.Status.FAILED)
                .output("out")
                .metadata("stderr", "e".repeat(6 << 20))
                .build();
        ExecuteResponse cut = WorkerService.fit(WorkerService.response("t", loud), max);
        assertThat(cut.getSerializedSize()).isLessThanOrEqualTo(max);
        assertThat(cut.getMetadataMap().get("stderr")).endsWith("[cut by the worker to fit the reply]");
        assertThat(cut.getOutput().toStringUtf8())
                .as("the output stays whole when the metadata is what is big")
                .isEqualTo("out");

        ExecuteResponse small = WorkerService.response("t", Result.succeeded("fine"));
        assertThat(WorkerService.fit(small, max)).isSameAs(small);
    }

    @Test
    void rejectionsBecomeStatusCodes() {
        assertThat(code(Rejection.UNKNOWN_TYPE)).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
        assertThat(code(Rejection.INVALID_PAYLOAD)).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
        assertThat(code(Rejection.OVER_CAPACITY)).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
        assertThat(code(Rejection.POLICY_DENIED)).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
        assertThat(code(Rejection.SHUTTING_DOWN)).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
        assertThat(Errors.rejected(Result.rejected(Rejection.INVALID_PAYLOAD, "args: must be an array"))
                        .getStatus()
                        .getDescription())
                .isEqualTo("args: must be an array");
    }

    private static io.grpc.Status.Code code(Rejection r) {
        return Errors.rejected(Result.rejected(r, "x")).getStatus().getCode();
    }

    @Test
    void capabilitiesListTheActiveServiceOfEachTypeAndCountTheOthers() {
        ExecutorStats stats = new Stats(java.util.Map.of(), 0, 0, 0);
        CapabilitiesResponse r = WorkerService.capabilities(List.of(
                new Info("a", "bundle.a", "2.0.0", 5, 10, true, Health.healthy("fine"), 1, stats),
                new Info("a", "bundle.a", "1.0.0", 4, 0, false, null, 0, stats),
                new Info("b", "bundle.b", "1.0.0", 6, 0, true, Health.unhealthy("no database"), 0, stats)));
        assertThat(r.getExecutorsList()).hasSize(2);
        assertThat(r.getExecutors(0).getTaskType()).isEqualTo("a");
        assertThat(r.getExecutors(0).getVersion()).isEqualTo("2.0.0");
        assertThat(r.getExecutors(0).getStandby()).isEqualTo(1);
        assertThat(r.getExecutors(0).getInFlight()).isEqualTo(1);
        assertThat(r.getExecutors(0).getHealthy()).isTrue();
        assertThat(r.getExecutors(1).getHealthy()).isFalse();
        assertThat(r.getExecutors(1).getHealth()).isEqualTo("no database");
    }

    /** The registry's snapshots are provider types: a test makes its own. */
    private record Stats(
            java.util.Map<dev.ferry.executor.api.Status, Long> counts, long p50Micros, long p99Micros, long maxMicros)
            implements ExecutorStats {}

    private record Info(
            String type,
            String bundleSymbolicName,
            String bundleVersion,
            long serviceId,
            int ranking,
            boolean isActive,
            Health health,
            int inFlight,
            ExecutorStats stats)
            implements ExecutorInfo {}
}
