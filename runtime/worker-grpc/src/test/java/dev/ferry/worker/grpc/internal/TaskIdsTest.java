package dev.ferry.worker.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TaskIdsTest {
    private final AtomicLong now = new AtomicLong();
    private final TaskIds ids = new TaskIds(2, 1_000, now::get);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRepeatWhileRunningAndAfterGetsTheFirstOutcome() {
        TaskIds.Claim first = ids.claim("a", "token", "command", b("{}"));
        assertThat(first).isInstanceOf(TaskIds.Fresh.class);
        CompletableFuture<Result> run = new CompletableFuture<>();
        ((TaskIds.Fresh) first).ran(run);

        TaskIds.Claim whileRunning = ids.claim("a", "token", "command", b("{}"));
        assertThat(whileRunning).isInstanceOf(TaskIds.Seen.class);
        assertThat(((TaskIds.Seen) whileRunning).result()).isNotDone();

        run.complete(Result.builder(Status.SUCCEEDED).output("hi").build());
        assertThat(((TaskIds.Seen) whileRunning).result().join().output()).isEqualTo(b("hi"));
        TaskIds.Claim after = ids.claim("a", "token", "command", b("{}"));
        assertThat(((TaskIds.Seen) after).result().join().status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void theSameIdForAnotherTaskIsAConflict() {
        ((TaskIds.Fresh) ids.claim("a", "token", "command", b("{}"))).ran(new CompletableFuture<>());
        assertThat(ids.claim("a", "token", "command", b("{\"x\":1}"))).isInstanceOf(TaskIds.Conflict.class);
        assertThat(ids.claim("a", "token", "http", b("{}"))).isInstanceOf(TaskIds.Conflict.class);
    }

    @Test
    void anotherCallerNeverGetsTheOutcomeOfATaskWithTheSameIdAndPayload() {
        ((TaskIds.Fresh) ids.claim("a", "tls:CN=alice", "command", b("{}")))
                .ran(CompletableFuture.completedFuture(
                        Result.builder(Status.SUCCEEDED).output("alice's").build()));
        assertThat(ids.claim("a", "tls:CN=mallory", "command", b("{}"))).isInstanceOf(TaskIds.Conflict.class);
        assertThat(ids.claim("a", "tls:CN=alice", "command", b("{}"))).isInstanceOf(TaskIds.Seen.class);
    }

    @Test
    void aRefusedTaskIsForgottenSoARetryRuns() {
        ((TaskIds.Fresh) ids.claim("a", "token", "command", b("{}")))
                .ran(CompletableFuture.completedFuture(Result.rejected(Rejection.OVER_CAPACITY, "over capacity")));
        assertThat(ids.claim("a", "token", "command", b("{}"))).isInstanceOf(TaskIds.Fresh.class);
    }

    @Test
    void endedIdsLeaveAfterTheWindowOrWhenOverCapacityButRunningOnesStay() {
        CompletableFuture<Result> running = new CompletableFuture<>();
        ((TaskIds.Fresh) ids.claim("long", "token", "command", b("{}"))).ran(running);
        for (String id : new String[] {"b", "c", "d"}) {
            ((TaskIds.Fresh) ids.claim(id, "token", "command", b("{}")))
                    .ran(CompletableFuture.completedFuture(
                            Result.builder(Status.SUCCEEDED).build()));
        }
        // capacity 2: the oldest ended ids left, the running one stays whatever its age
        assertThat(ids.size()).isEqualTo(2);
        assertThat(ids.claim("long", "token", "command", b("{}"))).isInstanceOf(TaskIds.Seen.class);
        assertThat(ids.claim("d", "token", "command", b("{}"))).isInstanceOf(TaskIds.Seen.class);

        now.addAndGet(1_001); // past the window
        assertThat(ids.claim("d", "token", "command", b("{}"))).isInstanceOf(TaskIds.Fresh.class);
        assertThat(ids.claim("long", "token", "command", b("{}"))).isInstanceOf(TaskIds.Seen.class);
    }
}
