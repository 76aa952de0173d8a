package dev.ferry.executor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DirectExecutionContextTest {

    /** A hook registered while a cancel runs goes either to the cancel or runs itself, never both. */
    @Test
    void aHookRacingACancelRunsExactlyOnce() throws Exception {
        for (int round = 0; round < 2000; round++) {
            DirectExecutionContext context = DirectExecutionContext.withTimeout(Duration.ofMinutes(1));
            AtomicInteger runs = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(2);
            Thread canceller = new Thread(() -> {
                await(start);
                context.cancel();
            });
            canceller.start();
            await(start);
            context.onCancel(runs::incrementAndGet);
            canceller.join();
            assertThat(runs).as("round " + round).hasValue(1);
        }
    }

    @Test
    void theDeadlineOnlyMovesForward() {
        DirectExecutionContext context = DirectExecutionContext.withTimeout(Duration.ofMinutes(1));
        context.tighten(Duration.ofSeconds(1));
        assertThat(context.remaining()).isLessThanOrEqualTo(Duration.ofSeconds(1));
        context.tighten(Duration.ofHours(1));
        assertThat(context.remaining()).isLessThanOrEqualTo(Duration.ofSeconds(1));
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
