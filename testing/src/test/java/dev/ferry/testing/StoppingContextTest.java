package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StoppingContextTest {
    /** The deadline passes when the test moves the clock, not before: the task is stopped then, hooks and interrupt. */
    @Test
    void aDeadlineOnAFakeClockStopsTheTaskWhenTheClockPassesIt() throws Exception {
        FakeTicker clock = new FakeTicker();
        StoppingContext context = StoppingContext.on(clock, Duration.ofSeconds(5));
        AtomicInteger hooks = new AtomicInteger();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Result> r = CompletableFuture.supplyAsync(() -> {
            try {
                return context.run(c -> {
                    c.onCancel(hooks::incrementAndGet);
                    waiting.countDown();
                    Thread.sleep(60_000); // interrupted by the stop
                    return Result.succeeded("never");
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(4));
        assertThat(context.isCancelled()).as("4 of 5 s: still running").isFalse();
        assertThat(r).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        Result result = Await.result("the stopped task", Duration.ofSeconds(10), r);
        assertThat(result.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(hooks).hasValue(1);
    }

    @Test
    void whatTheExecutorReturnedAfterACancelKeepsItsOutputUnderTheStopsStatus() throws Exception {
        StoppingContext context = StoppingContext.withTimeout(Duration.ofMinutes(1));
        Result r = context.run(c -> {
            context.cancel();
            return Result.builder(Status.FAILED)
                    .output("partial".getBytes())
                    .error("it saw the cancel")
                    .build();
        });
        assertThat(r.status()).isEqualTo(Status.CANCELLED);
        assertThat(r.outputAsString()).isEqualTo("partial");
        assertThat(r.metadata()).containsEntry(Result.EXECUTOR_ERROR, "it saw the cancel");
    }

    @Test
    void awaitNamesWhatItWaitedFor() {
        assertThatThrownBy(() -> Await.until("a thing that never comes", Duration.ofMillis(30), () -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("a thing that never comes");
    }
}
